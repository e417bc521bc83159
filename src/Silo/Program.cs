using Microsoft.Extensions.Hosting;
using RerankCluster.Silo;

// A silo process on its own (localhost clustering); `rerank serve` hosts a silo and the gateway together.
var builder = Host.CreateApplicationBuilder(args);
builder.UseOrleans(silo => silo.UseLocalhostClustering().AddRerankCluster(builder.Configuration));
await builder.Build().RunAsync();

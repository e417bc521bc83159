using Microsoft.Extensions.Hosting;
using RerankCluster.Silo.Hosting;

// A silo process: clustering from the Clustering section (Redis for a real cluster), storage from
// Storage, role from Orleans:Metadata. `rerank serve` instead hosts a silo and the gateway together.
var builder = Host.CreateApplicationBuilder(args);
builder.UseOrleans(silo => silo.UseRerankClustering(builder.Configuration).AddRerankCluster(builder.Configuration));
await builder.Build().RunAsync();

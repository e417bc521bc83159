using RerankCluster.Gateway;

// The gateway on its own: an Orleans client of a cluster found by localhost clustering.
var builder = WebApplication.CreateBuilder(args);
builder.UseOrleansClient(client => client.UseLocalhostClustering());
builder.Services.AddRerankGateway();
var app = builder.Build();
app.MapRerankGateway();
app.Run();

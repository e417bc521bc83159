using Orleans.Dashboard;
using RerankCluster.Gateway;
using RerankCluster.Gateway.Hosting;

// The gateway process: an Orleans client of the cluster named by the Clustering section.
var builder = WebApplication.CreateBuilder(args);
builder.UseOrleansClient(client => client.UseRerankClustering(builder.Configuration).AddActivityPropagation().AddDashboard());
builder.Services.AddRerankGateway(builder.Configuration);
var app = builder.Build();
app.MapRerankGateway();
app.Run();

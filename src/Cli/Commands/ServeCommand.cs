using System.CommandLine;
using RerankCluster.Cli.Hosting;

namespace RerankCluster.Cli.Commands;

public static class ServeCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "HTTP port of the API.", DefaultValueFactory = _ => EmbeddedCluster.DefaultPorts.Http };
        var host = new Option<string>("--host") { Description = "Address to listen on.", DefaultValueFactory = _ => "127.0.0.1" };
        var siloPort = new Option<int>("--silo-port") { DefaultValueFactory = _ => EmbeddedCluster.DefaultPorts.Silo };
        var gatewayPort = new Option<int>("--gateway-port") { Description = "Orleans client gateway port.", DefaultValueFactory = _ => EmbeddedCluster.DefaultPorts.Gateway };
        var command = new Command("serve", "Run the embedded single-machine cluster (silo + HTTP gateway) until Ctrl+C.")
        {
            port, host, siloPort, gatewayPort,
        };
        command.SetAction(async (parse, ct) =>
        {
            var ports = new EmbeddedCluster.Ports(parse.GetValue(port), parse.GetValue(siloPort), parse.GetValue(gatewayPort));
            await using var cluster = await EmbeddedCluster.StartAsync(ports, parse.GetValue(host)!, cancellationToken: ct);
            Console.WriteLine($"RerankCluster serving on {cluster.BaseAddress} (Ctrl+C stops it)");
            await cluster.WaitForShutdownAsync(ct);
            return 0;
        });
        return command;
    }
}

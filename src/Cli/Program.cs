using System.CommandLine;
using RerankCluster.Client.Errors;
using RerankCluster.Cli.Commands;

var root = new RootCommand("RerankCluster: two-stage retrieval and cross-encoder reranking on Orleans.")
{
    ServeCommand.Create(),
    DemoCommand.Create(),
    IngestCommand.Create(),
    SearchCommand.Create(),
    ModelsCommand.Create(),
    EvalCommand.Create(),
    LoadCommand.Create(),
    DatasetCommand.Create(),
    TrainRerankerCommand.Create(),
    ReliabilityCommand.Create(),
    ScaleCommand.Create(),
};

try
{
    return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (Exception ex) when (ex is RerankApiException or IngestJobFailedException or FileNotFoundException or DirectoryNotFoundException or InvalidDataException
                               or ArgumentException or HttpRequestException or InvalidOperationException)
{
    // Expected failures get one line, not a stack trace.
    Console.Error.WriteLine($"rerank: {ex.Message}");
    return 1;
}

using System.CommandLine;
using RerankCluster.Bench;

var output = new Option<string>("--out") { Description = "Folder for bench.json and bench.html.", DefaultValueFactory = _ => "out/bench" };
var queries = new Option<int>("--queries") { Description = "Queries per scenario (the c16 run takes twice as many).", DefaultValueFactory = _ => 12 };
var candidates = new Option<int>("--candidates") { Description = "Pairs reranked per query.", DefaultValueFactory = _ => 50 };
var largeIndex = new Option<int>("--large-index") { Description = "Chunks in the stage-1 scale run.", DefaultValueFactory = _ => 50_000 };
var showBatches = new Option<bool>("--show-batches") { Description = "Print every batch the cluster formed in the 16-in-flight run." };
var root = new RootCommand("RerankCluster benchmark: baseline vs cluster vs raw ONNX Runtime, fp32 vs int8, stage 1 vs stage 2.")
{
    output, queries, candidates, largeIndex, showBatches,
};
root.SetAction(async (parse, ct) =>
{
    var settings = new RerankBenchmark.Settings(parse.GetValue(output)!, parse.GetValue(queries), parse.GetValue(candidates), parse.GetValue(largeIndex),
        parse.GetValue(showBatches));
    await new RerankBenchmark(settings, Console.Out).RunAsync(ct);
    return 0;
});
return await root.Parse(args).InvokeAsync();

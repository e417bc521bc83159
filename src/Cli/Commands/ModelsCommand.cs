using System.CommandLine;
using RerankCluster.Cli.Terminal;
using RerankCluster.Inference.Models;

namespace RerankCluster.Cli.Commands;

public static class ModelsCommand
{
    public static Command Create()
    {
        var repo = new Argument<string>("repo") { Description = "Hub repository id, e.g. cross-encoder/ms-marco-MiniLM-L-6-v2." };
        var revision = new Option<string>("--revision") { Description = "Branch, tag or commit.", DefaultValueFactory = _ => "main" };
        var variant = new Option<string?>("--variant") { Description = "ONNX file other than model.onnx, e.g. model_qint8_avx512_vnni." };
        var endpoint = new Option<string?>("--endpoint") { Description = "Hub address (default https://huggingface.co, or $HF_ENDPOINT)." };
        var cache = new Option<string?>("--cache") { Description = "Model cache directory (default $RERANK_MODEL_CACHE or ~/.cache/rerank-cluster/models)." };
        var pull = new Command("pull", "Download a model's ONNX graph and tokenizer into the cache, resuming and verifying hashes.")
        {
            repo, revision, variant, endpoint, cache,
        };
        pull.SetAction(async (parse, ct) =>
        {
            var options = new ModelStoreOptions
            {
                CacheDirectory = parse.GetValue(cache),
                HubEndpoint = parse.GetValue(endpoint) ?? Environment.GetEnvironmentVariable("HF_ENDPOINT") ?? "https://huggingface.co",
                HubToken = Environment.GetEnvironmentVariable("HF_TOKEN"),
            };
            using var http = new HttpClient { Timeout = TimeSpan.FromHours(1) };
            var progress = new DownloadProgress();
            var files = await new HubModelDownloader(http, options).PullAsync(parse.GetValue(repo)!, parse.GetValue(revision)!,
                parse.GetValue(variant), progress, ct);
            Console.Error.WriteLine();
            Console.WriteLine($"{files.Name} is in {files.Directory} (graph {Path.GetRelativePath(files.Directory, files.OnnxPath)})");
            return 0;
        });
        return new Command("models", "Manage the model cache.") { pull };
    }
}

namespace RerankCluster.Inference.Models;

/// <summary>
/// Turns a configured model name into files on disk: a directory path as it is, a hub id from the
/// cache (pulled first when allowed), or, when nothing is configured, the models this project ships.
/// Asynchronous, since a pull downloads: callers in a grain await it rather than block a scheduler thread.
/// </summary>
public sealed class ModelResolver
{
    private readonly ModelStoreOptions _options;
    private readonly Func<HubModelDownloader> _downloader;

    public ModelResolver(ModelStoreOptions options, Func<HubModelDownloader> downloader)
    {
        _options = options;
        _downloader = downloader;
    }

    // No cancellation: a load is shared by every request that needs the model, so no one request may cancel it.
    public async Task<ModelFiles> BiEncoderAsync(string? spec) =>
        string.IsNullOrWhiteSpace(spec) ? ShippedMiniLm.Ensure(_options.ResolveCacheDirectory()) : await ResolveAsync(spec, null);

    public async Task<ModelFiles> CrossEncoderAsync(string? spec, string? onnxFile, ModelPrecision precision = ModelPrecision.Fp32)
    {
        var files = string.IsNullOrWhiteSpace(spec) ? DefaultCrossEncoder(_options.ResolveCacheDirectory()) : await ResolveAsync(spec, onnxFile);
        return ReducedPrecisionModel.Ensure(files, _options.ResolveCacheDirectory(), precision);
    }

    /// <summary>
    /// The cross-encoder used when none is configured: the reranker this project trained, when the build
    /// ships it, else the derived test model (real compute, meaningless scores, and marked so).
    /// </summary>
    public static ModelFiles DefaultCrossEncoder(string cacheDirectory) =>
        TrainedCrossEncoder.IsShipped ? TrainedCrossEncoder.Ensure(cacheDirectory) : DerivedTestCrossEncoder.Ensure(cacheDirectory);

    /// <summary>The name <see cref="DefaultCrossEncoder"/> serves under, without building it: what every response reports.</summary>
    public static string DefaultCrossEncoderName => TrainedCrossEncoder.IsShipped ? TrainedCrossEncoder.Name : DerivedTestCrossEncoder.Name;

    public async Task<ModelFiles> ResolveAsync(string spec, string? onnxFile)
    {
        if (Directory.Exists(spec))
        {
            return ModelFiles.Open(spec, onnxFile: onnxFile);
        }

        var cached = Path.Combine(_options.ResolveCacheDirectory(), ModelStoreOptions.CacheFolderName(spec));
        if (Directory.Exists(cached) && File.Exists(Path.Combine(cached, HubModelDownloader.ManifestFile)))
        {
            return ModelFiles.Open(cached, spec, onnxFile);
        }

        if (!spec.Contains('/') || spec.StartsWith('/') || spec.StartsWith('.'))
        {
            throw new DirectoryNotFoundException($"Model '{spec}' is neither a model directory nor a hub id (owner/name).");
        }

        if (!_options.AutoPull)
        {
            throw new InvalidOperationException(
                $"Model '{spec}' is not in the cache ({cached}) and Models:AutoPull is false: run `rerank models pull {spec}` first.");
        }

        return await _downloader().PullAsync(spec, onnxVariant: onnxFile);
    }
}

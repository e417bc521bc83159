using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RerankCluster.Configuration.Telemetry;
using RerankCluster.Grains.Interfaces;
using RerankCluster.Grains.Options;
using RerankCluster.Inference;
using RerankCluster.Inference.Batching;
using RerankCluster.Inference.Models;
using RerankCluster.Inference.Onnx;
using RerankCluster.Inference.Simulation;
using RerankCluster.Retrieval;

namespace RerankCluster.Grains.Models;

/// <summary>
/// The models this silo serves, by name: the configured defaults plus the ones allowed in
/// <c>BiEncoder:Allowed</c> and <c>CrossEncoder:Allowed</c>, each loaded once on first use and shared
/// by every grain. Names outside those lists are refused, so a tenant can never make a silo load
/// an arbitrary path or hub model. A load (a pull, a graph build, an ONNX session) runs on the thread
/// pool, never in the turn of the grain that awaits it. A load that fails (a pull that failed, files not
/// there yet) is not kept: the caller gets <see cref="ModelUnavailableException"/> and the next request loads again.
/// </summary>
public sealed class ModelCatalog : IAsyncDisposable
{
    private readonly ModelResolver _resolver;
    private readonly OnnxSessionFactory _sessions;
    private readonly BiEncoderOptions _bi;
    private readonly CrossEncoderOptions _cross;
    private readonly BatcherOptions _batching;
    private readonly IndexingOptions _indexing;
    private readonly SimulationOptions _simulation;
    private readonly Lazy<SimulatedAccelerator> _simulatedCrossEncoding;
    private readonly Lazy<SimulatedAccelerator> _simulatedEmbedding;
    private readonly ConcurrentDictionary<string, Lazy<Task<BiEncoderEntry>>> _biEncoders = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<CrossEncoderEntry>>> _crossEncoders = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<IDisposable> _tracking = [];
    private readonly string _silo;
    private readonly ILogger<ModelCatalog> _logger;

    public ModelCatalog(ModelResolver resolver, OnnxSessionFactory sessions, IOptions<BiEncoderOptions> bi, IOptions<CrossEncoderOptions> cross,
        IOptions<BatcherOptions> batching, IOptions<IndexingOptions> indexing, IOptions<SimulationOptions> simulation, ILocalSiloDetails silo,
        ILogger<ModelCatalog> logger)
    {
        _logger = logger;
        _silo = silo.Name;
        _resolver = resolver;
        _sessions = sessions;
        _bi = bi.Value;
        _cross = cross.Value;
        _batching = batching.Value;
        _indexing = indexing.Value;
        _simulation = simulation.Value;
        // One device per silo for each model kind, shared by every model of that kind, as a GPU would be.
        _simulatedCrossEncoding = new(() => new SimulatedAccelerator(_simulation.CrossEncoderTokensPerSecond, _simulation.CallOverhead));
        _simulatedEmbedding = new(() => new SimulatedAccelerator(_simulation.BiEncoderTokensPerSecond, _simulation.CallOverhead));
        DefaultBiEncoder = string.IsNullOrWhiteSpace(_bi.Model) ? ShippedMiniLm.RepoId : _bi.Model;
        DefaultCrossEncoder = string.IsNullOrWhiteSpace(_cross.Model) ? ModelResolver.DefaultCrossEncoderName : _cross.Model;
        BiEncoders = _bi.Allowed.Prepend(DefaultBiEncoder).Distinct().ToArray();
        CrossEncoders = _cross.Allowed.Prepend(DefaultCrossEncoder).Distinct().ToArray();
        if (_cross.Aliases.FirstOrDefault(a => !CrossEncoders.Contains(a.Value)) is { Key: not null } unserved)
        {
            throw new InvalidOperationException($"{CrossEncoderOptions.Section}:Aliases:{unserved.Key} names '{unserved.Value}', which is not served; " +
                $"served: {string.Join(", ", CrossEncoders)} ({CrossEncoderOptions.Section}:Model, {CrossEncoderOptions.Section}:Allowed).");
        }
    }

    public sealed record BiEncoderEntry(BiEncoder Encoder, TextChunker Chunker);

    public sealed record CrossEncoderEntry(CrossEncoder Encoder, CrossEncoderBatcher Batcher);

    public string DefaultBiEncoder { get; }

    public string DefaultCrossEncoder { get; }

    public IReadOnlyList<string> BiEncoders { get; }

    public IReadOnlyList<string> CrossEncoders { get; }

    /// <summary>The served name for a request's choice (null: the default); anything not served is refused.</summary>
    public string BiEncoderName(string? requested) =>
        Served(requested, DefaultBiEncoder, BiEncoders, "bi_encoder", "BiEncoder");

    public string CrossEncoderName(string? requested, string field = "cross_encoder") =>
        Served(requested is not null && _cross.Aliases.TryGetValue(requested, out var aliased) ? aliased : requested,
            DefaultCrossEncoder, CrossEncoders, field, "CrossEncoder");

    /// <exception cref="InvalidRequestException">The name is not served (thrown before anything loads).</exception>
    public Task<BiEncoderEntry> BiEncoder(string? name) => Loaded(_biEncoders, BiEncoderName(name), LoadBiEncoder);

    /// <inheritdoc cref="BiEncoder"/>
    public Task<CrossEncoderEntry> CrossEncoder(string? name) => Loaded(_crossEncoders, CrossEncoderName(name), LoadCrossEncoder);

    /// <summary>
    /// One load per name at a time (the Lazy), but a load that failed is removed, since its task would
    /// rethrow the first exception for the life of the process.
    /// </summary>
    private async Task<T> Loaded<T>(ConcurrentDictionary<string, Lazy<Task<T>>> loaded, string name, Func<string, Task<T>> load)
    {
        var entry = loaded.GetOrAdd(name, served => new Lazy<Task<T>>(() => Task.Run(() => load(served))));
        try
        {
            return await entry.Value;
        }
        catch (Exception ex)
        {
            // Only this attempt: a retry another request already started stays.
            loaded.TryRemove(new KeyValuePair<string, Lazy<Task<T>>>(name, entry));
            _logger.LogError(ex, "Loading model {Model} failed; the next request that needs it tries again", name);
            throw new ModelUnavailableException($"Model '{name}' could not be loaded: {ex.Message}");
        }
    }

    private async Task<BiEncoderEntry> LoadBiEncoder(string name)
    {
        var files = await _resolver.BiEncoderAsync(name == DefaultBiEncoder ? _bi.Model : name);
        var encoder = _simulation.Enabled
            ? new BiEncoder(files, _simulatedEmbedding.Value, _simulation.BiEncoderDimension, _bi.MaxLength, _bi.BatchSize, _bi.MaxBulkCallTime)
            : new BiEncoder(files, _sessions, _bi.MaxLength, _bi.BatchSize, _bi.MaxBulkCallTime);
        var window = _indexing.ChunkTokens == 0 ? encoder.MaxLength - 2 : Math.Min(_indexing.ChunkTokens, encoder.MaxLength - 2);
        return new BiEncoderEntry(encoder, new TextChunker(text => encoder.Tokenizer.Tokenize(text).Length, window, Math.Min(_indexing.ChunkOverlapTokens, window - 1)));
    }

    private async Task<CrossEncoderEntry> LoadCrossEncoder(string name)
    {
        var files = await _resolver.CrossEncoderAsync(name == DefaultCrossEncoder ? _cross.Model : name, _cross.OnnxFile, _cross.Precision);
        var encoder = _simulation.Enabled
            ? new CrossEncoder(files, _simulatedCrossEncoding.Value, _cross.MaxLength)
            : new CrossEncoder(files, _sessions, _cross.MaxLength);
        if (_cross.Precision == ModelPrecision.Fp16 && encoder.Provider != ExecutionProvider.Cuda)
        {
            _logger.LogWarning("CrossEncoder:Precision is Fp16 but {Model} runs on the CPU, where fp16 MatMuls are for checking only: use Fp32 or Int8 on CPU silos.",
                name);
        }

        var batcher = new CrossEncoderBatcher(encoder.Score, encoder.Tokenizer, _batching, _logger);
        var model = new KeyValuePair<string, object?>("model", name);
        batcher.BatchCompleted += batch =>
        {
            RerankTelemetry.BatchPairs.Record(batch.Rows, model);
            RerankTelemetry.BatchTokens.Record(batch.PaddedTokens, model);
        };
        batcher.PairsCancelled += pairs => RerankTelemetry.CancelledPairs.Add(pairs, model);
        _tracking.Add(RerankTelemetry.TrackQueue($"{name}@{_silo}", () => batcher.QueueDepth));
        return new CrossEncoderEntry(encoder, batcher);
    }

    private static string Served(string? requested, string fallback, IReadOnlyList<string> served, string field, string section)
    {
        if (string.IsNullOrWhiteSpace(requested))
        {
            return fallback;
        }

        return served.Contains(requested)
            ? requested
            : throw new InvalidRequestException(
                $"{field} '{requested}' is not served by this cluster; served: {string.Join(", ", served)} ({section}:Model, {section}:Allowed).");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var tracking in _tracking)
        {
            tracking.Dispose();
        }

        foreach (var entry in _crossEncoders.Values.Where(e => e.IsValueCreated && e.Value.IsCompletedSuccessfully))
        {
            var (encoder, batcher) = entry.Value.Result;
            await batcher.DisposeAsync();
            encoder.Dispose();
        }

        foreach (var entry in _biEncoders.Values.Where(e => e.IsValueCreated && e.Value.IsCompletedSuccessfully))
        {
            entry.Value.Result.Encoder.Dispose();
        }
    }
}

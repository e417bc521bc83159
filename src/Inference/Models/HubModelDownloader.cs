using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace RerankCluster.Inference.Models;

/// <summary>
/// <c>models pull</c>: downloads a model's ONNX graph and tokenizer files from the Hugging Face hub
/// (or any server in its URL layout) into the model cache. Interrupted downloads resume from their
/// <c>.part</c> file; every file is checked against the hash the hub publishes before it is kept.
/// </summary>
public sealed class HubModelDownloader
{
    public const string ManifestFile = "rerank-manifest.json";
    private static readonly string[] TokenizerFiles =
        [.. ModelFiles.TokenizerFiles, "tokenizer_config.json", "special_tokens_map.json", "config.json"];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };
    private readonly HttpClient _http;
    private readonly ModelStoreOptions _options;
    private readonly ILogger _logger;

    public HubModelDownloader(HttpClient http, ModelStoreOptions options, ILogger<HubModelDownloader>? logger = null)
    {
        _http = http;
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    public sealed record Progress(string File, long Done, long? Total);

    /// <summary>Where <paramref name="repoId"/> lives in the cache once pulled.</summary>
    public string CachePath(string repoId) =>
        Path.Combine(_options.ResolveCacheDirectory(), ModelStoreOptions.CacheFolderName(repoId));

    public async Task<ModelFiles> PullAsync(string repoId, string revision = "main", string? onnxVariant = null,
        IProgress<Progress>? progress = null, CancellationToken cancellationToken = default)
    {
        ValidateRepoId(repoId);
        var siblings = await ListFilesAsync(repoId, revision, cancellationToken);
        var onnx = ChooseOnnx(siblings, onnxVariant, repoId);
        var wanted = new List<HubFile> { onnx };
        wanted.AddRange(siblings.Where(s => TokenizerFiles.Contains(s.Path)));
        if (!wanted.Any(f => ModelFiles.TokenizerFiles.Contains(f.Path)))
        {
            throw new InvalidDataException(
                $"'{repoId}' has no tokenizer this project reads ({string.Join(", ", ModelFiles.TokenizerFiles)}): it is neither a BERT- nor an XLM-RoBERTa-family model.");
        }

        var directory = CachePath(repoId);
        var hashes = new Dictionary<string, string>();
        foreach (var file in wanted)
        {
            hashes[file.Path] = await DownloadAsync(repoId, revision, file, directory, progress, cancellationToken);
        }

        var manifest = new Manifest(repoId, revision, onnx.Path, hashes);
        AtomicFile.WriteText(Path.Combine(directory, ManifestFile), JsonSerializer.Serialize(manifest, Json));
        _logger.LogInformation("Pulled {Repo}@{Revision} ({Files} files) into {Directory}", repoId, revision, hashes.Count, directory);
        return ModelFiles.Open(directory, repoId, onnx.Path);
    }

    private static void ValidateRepoId(string repoId)
    {
        var parts = repoId.Split('/');
        if (parts.Length != 2 || parts.Any(p => p.Length == 0 || p.Contains("..", StringComparison.Ordinal) ||
                                               p.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))))
        {
            throw new ArgumentException($"'{repoId}' is not a hub repository id of the form owner/name.", nameof(repoId));
        }
    }

    private async Task<IReadOnlyList<HubFile>> ListFilesAsync(string repoId, string revision, CancellationToken ct)
    {
        var url = $"{_options.HubEndpoint.TrimEnd('/')}/api/models/{repoId}/revision/{Uri.EscapeDataString(revision)}?blobs=true";
        using var response = await _http.SendAsync(Request(HttpMethod.Get, url), ct);
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Unauthorized)
        {
            throw new InvalidOperationException($"The hub has no model '{repoId}' at revision '{revision}' ({(int)response.StatusCode}).");
        }

        response.EnsureSuccessStatusCode();
        var info = await response.Content.ReadFromJsonAsync<ModelInfo>(Json, ct)
                   ?? throw new InvalidDataException($"The hub answered no file list for '{repoId}'.");
        return (info.Siblings ?? []).Select(s => new HubFile(s.Path, s.Lfs?.Sha256 ?? null, s.Lfs is null ? s.BlobId : null, s.Lfs?.Size ?? s.Size)).ToList();
    }

    private static HubFile ChooseOnnx(IReadOnlyList<HubFile> files, string? variant, string repoId)
    {
        string[] candidates;
        if (string.IsNullOrWhiteSpace(variant))
        {
            candidates = ["onnx/model.onnx", "model.onnx"];
        }
        else
        {
            var name = variant.EndsWith(".onnx", StringComparison.Ordinal) ? variant : variant + ".onnx";
            candidates = name.Contains('/') ? [name] : [$"onnx/{name}", name];
        }

        foreach (var candidate in candidates)
        {
            var match = files.FirstOrDefault(f => f.Path == candidate);
            if (match is not null)
            {
                return match;
            }
        }

        var available = files.Where(f => f.Path.EndsWith(".onnx", StringComparison.Ordinal)).Select(f => f.Path).ToArray();
        throw new FileNotFoundException(
            $"'{repoId}' has no {string.Join(" or ", candidates)}. ONNX files it has: " +
            (available.Length == 0 ? "none (it needs an ONNX export)" : string.Join(", ", available)) + ".");
    }

    private async Task<string> DownloadAsync(string repoId, string revision, HubFile file, string directory,
        IProgress<Progress>? progress, CancellationToken ct)
    {
        var target = Path.GetFullPath(Path.Combine(directory, file.Path));
        if (!target.StartsWith(Path.GetFullPath(directory) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"The hub listed a file outside the model directory: '{file.Path}'.");
        }

        if (File.Exists(target) && await MatchesAsync(target, file, expectedFromHeader: null, ct))
        {
            progress?.Report(new Progress(file.Path, new FileInfo(target).Length, new FileInfo(target).Length));
            return await Sha256Async(target, ct);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var part = target + ".part";
        var url = $"{_options.HubEndpoint.TrimEnd('/')}/{repoId}/resolve/{Uri.EscapeDataString(revision)}/{file.Path}";
        var resumeFrom = File.Exists(part) ? new FileInfo(part).Length : 0;
        var request = Request(HttpMethod.Get, url);
        if (resumeFrom > 0)
        {
            request.Headers.Range = new RangeHeaderValue(resumeFrom, null);
        }

        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            // The part file is already whole (or bigger than the file): start over.
            File.Delete(part);
            return await DownloadAsync(repoId, revision, file, directory, progress, ct);
        }

        response.EnsureSuccessStatusCode();
        var append = resumeFrom > 0 && response.StatusCode == HttpStatusCode.PartialContent;
        var total = file.Size ?? (response.Content.Headers.ContentLength is { } length ? length + (append ? resumeFrom : 0) : null);
        var done = append ? resumeFrom : 0;
        await using (var output = new FileStream(part, append ? FileMode.Append : FileMode.Create, FileAccess.Write))
        await using (var input = await response.Content.ReadAsStreamAsync(ct))
        {
            var buffer = new byte[1 << 16];
            int read;
            var lastReport = 0L;
            while ((read = await input.ReadAsync(buffer, ct)) > 0)
            {
                await output.WriteAsync(buffer.AsMemory(0, read), ct);
                done += read;
                if (done - lastReport >= 1 << 20)
                {
                    lastReport = done;
                    progress?.Report(new Progress(file.Path, done, total));
                }
            }
        }

        progress?.Report(new Progress(file.Path, done, total));
        var headerHash = LinkedEtag(response);
        if (!await MatchesAsync(part, file, headerHash, ct))
        {
            var actual = await Sha256Async(part, ct);
            File.Delete(part);
            throw new InvalidDataException(
                $"'{file.Path}' from {repoId} failed verification: expected {file.Sha256 ?? file.GitBlobSha1 ?? headerHash}, got sha256 {actual}. The download was discarded.");
        }

        File.Move(part, target, overwrite: true);
        return await Sha256Async(target, ct);
    }

    /// <summary>
    /// Checks a file against what the hub publishes: the SHA-256 of LFS files (from the listing or the
    /// X-Linked-ETag header), else the git blob SHA-1 of small files. A file with no published hash fails.
    /// </summary>
    private static async Task<bool> MatchesAsync(string path, HubFile file, string? expectedFromHeader, CancellationToken ct)
    {
        if (file.Size is { } size && new FileInfo(path).Length != size)
        {
            return false;
        }

        var sha256 = file.Sha256 ?? (expectedFromHeader?.Length == 64 ? expectedFromHeader : null);
        if (sha256 is not null)
        {
            return string.Equals(await Sha256Async(path, ct), sha256, StringComparison.OrdinalIgnoreCase);
        }

        var blob = file.GitBlobSha1 ?? (expectedFromHeader?.Length == 40 ? expectedFromHeader : null);
        return blob is not null && string.Equals(await GitBlobSha1Async(path, ct), blob, StringComparison.OrdinalIgnoreCase);
    }

    private static string? LinkedEtag(HttpResponseMessage response)
    {
        var value = response.Headers.TryGetValues("X-Linked-ETag", out var linked) ? linked.FirstOrDefault()
            : response.Headers.ETag?.Tag;
        return value?.Replace("W/", "", StringComparison.Ordinal).Trim('"');
    }

    public static async Task<string> Sha256Async(string path, CancellationToken ct = default)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct));
    }

    private static async Task<string> GitBlobSha1Async(string path, CancellationToken ct)
    {
        await using var stream = File.OpenRead(path);
        using var sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        sha1.AppendData(System.Text.Encoding.ASCII.GetBytes($"blob {stream.Length}\0"));
        var buffer = new byte[1 << 16];
        int read;
        while ((read = await stream.ReadAsync(buffer, ct)) > 0)
        {
            sha1.AppendData(buffer, 0, read);
        }

        return Convert.ToHexStringLower(sha1.GetHashAndReset());
    }

    private HttpRequestMessage Request(HttpMethod method, string url)
    {
        var request = new HttpRequestMessage(method, url);
        if (!string.IsNullOrWhiteSpace(_options.HubToken))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.HubToken);
        }

        return request;
    }

    private sealed record HubFile(string Path, string? Sha256, string? GitBlobSha1, long? Size);

    internal sealed record Manifest(string Repo, string Revision, string Onnx, Dictionary<string, string> Sha256);

    internal sealed record ModelInfo(List<Sibling>? Siblings);

    internal sealed record Sibling(
        [property: JsonPropertyName("rfilename")] string Path,
        long? Size,
        string? BlobId,
        LfsInfo? Lfs);

    internal sealed record LfsInfo(string Sha256, long? Size);

}

using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using RerankCluster.Inference.Models;

namespace RerankCluster.UnitTests;

/// <summary>`models pull` against a local server that answers in the Hugging Face hub's URL layout.</summary>
public sealed class HubModelDownloaderTests : IAsyncLifetime
{
    private const string Repo = "test-org/tiny-cross-encoder";
    private readonly Dictionary<string, byte[]> _files = new()
    {
        ["onnx/model.onnx"] = RandomBytes(3 << 20, 1),
        ["onnx/model_qint8_avx512_vnni.onnx"] = RandomBytes(1 << 20, 2),
        ["vocab.txt"] = Encoding.UTF8.GetBytes("[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\n"),
        ["tokenizer_config.json"] = Encoding.UTF8.GetBytes("{\"do_lower_case\": true}"),
        ["README.md"] = Encoding.UTF8.GetBytes("not downloaded"),
    };

    private readonly List<string> _rangeRequests = [];
    private WebApplication _server = null!;
    private string _cache = null!;

    /// <summary>Files served with different bytes than the listing's hash.</summary>
    public HashSet<string> Corrupt { get; } = [];

    /// <summary>Files whose next response is cut off half way.</summary>
    public HashSet<string> CutOnce { get; } = [];

    public async Task InitializeAsync()
    {
        _cache = Directory.CreateTempSubdirectory("rerank-models-").FullName;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _server = builder.Build();
        _server.MapGet($"/api/models/{Repo}/revision/main", () => Results.Json(new
        {
            siblings = _files.Select(f => f.Key.EndsWith(".onnx")
                ? (object)new { rfilename = f.Key, lfs = new { sha256 = Convert.ToHexStringLower(SHA256.HashData(f.Value)), size = f.Value.Length } }
                : new { rfilename = f.Key, blobId = GitBlobSha1(f.Value), size = f.Value.Length }),
        }));
        _server.MapGet($"/{Repo}/resolve/main/{{**path}}", async (string path, HttpContext context) =>
        {
            if (!_files.TryGetValue(path, out var content))
            {
                context.Response.StatusCode = 404;
                return;
            }

            if (Corrupt.Contains(path))
            {
                content = content.ToArray();
                content[^1] ^= 0xFF;
            }

            var start = 0;
            if (context.Request.Headers.Range.ToString() is { Length: > 0 } range)
            {
                lock (_rangeRequests)
                {
                    _rangeRequests.Add($"{path} {range}");
                }

                start = int.Parse(range["bytes=".Length..range.IndexOf('-')]);
                context.Response.StatusCode = 206;
            }

            context.Response.ContentLength = content.Length - start;
            if (CutOnce.Remove(path))
            {
                await context.Response.Body.WriteAsync(content.AsMemory(start, (content.Length - start) / 2));
                await context.Response.Body.FlushAsync();
                context.Abort();
                return;
            }

            await context.Response.Body.WriteAsync(content.AsMemory(start));
        });
        await _server.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_cache, recursive: true);
    }

    private HubModelDownloader Downloader()
    {
        var address = _server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new HubModelDownloader(new HttpClient(), new ModelStoreOptions { CacheDirectory = _cache, HubEndpoint = address });
    }

    [Fact]
    public async Task Pull_lands_the_graph_and_tokenizer_files_verified()
    {
        var model = await Downloader().PullAsync(Repo);

        Assert.Equal(_files["onnx/model.onnx"], await File.ReadAllBytesAsync(model.OnnxPath));
        Assert.Equal(_files["vocab.txt"], await File.ReadAllBytesAsync(Path.Combine(model.Directory, "vocab.txt")));
        Assert.False(File.Exists(Path.Combine(model.Directory, "README.md")), "only model files are pulled");
        Assert.False(File.Exists(Path.Combine(model.Directory, "onnx", "model_qint8_avx512_vnni.onnx")), "other variants are not pulled");
        Assert.Empty(Directory.GetFiles(model.Directory, "*.part", SearchOption.AllDirectories));
        using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(model.Directory, HubModelDownloader.ManifestFile)));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(_files["onnx/model.onnx"])),
            manifest.RootElement.GetProperty("sha256").GetProperty("onnx/model.onnx").GetString());
    }

    [Fact]
    public async Task A_corrupted_file_is_rejected_and_not_kept()
    {
        Corrupt.Add("onnx/model.onnx");
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Downloader().PullAsync(Repo));
        Assert.Contains("failed verification", error.Message);
        var directory = Downloader().CachePath(Repo);
        Assert.False(File.Exists(Path.Combine(directory, "onnx", "model.onnx")));
        Assert.False(File.Exists(Path.Combine(directory, "onnx", "model.onnx.part")));

        Corrupt.Clear();
        var model = await Downloader().PullAsync(Repo);
        Assert.Equal(_files["onnx/model.onnx"], await File.ReadAllBytesAsync(model.OnnxPath));
    }

    [Fact]
    public async Task An_interrupted_download_resumes_where_it_stopped()
    {
        CutOnce.Add("onnx/model.onnx");
        await Assert.ThrowsAnyAsync<Exception>(() => Downloader().PullAsync(Repo));
        var part = Path.Combine(Downloader().CachePath(Repo), "onnx", "model.onnx.part");
        var kept = new FileInfo(part).Length;
        Assert.InRange(kept, 1, _files["onnx/model.onnx"].Length - 1);

        var model = await Downloader().PullAsync(Repo);
        Assert.Contains($"onnx/model.onnx bytes={kept}-", _rangeRequests);
        Assert.Equal(_files["onnx/model.onnx"], await File.ReadAllBytesAsync(model.OnnxPath));
    }

    [Fact]
    public async Task A_variant_is_pulled_by_name_and_a_missing_one_is_listed()
    {
        var model = await Downloader().PullAsync(Repo, onnxVariant: "model_qint8_avx512_vnni");
        Assert.EndsWith(Path.Combine("onnx", "model_qint8_avx512_vnni.onnx"), model.OnnxPath);
        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => Downloader().PullAsync(Repo, onnxVariant: "model_fp16"));
        Assert.Contains("model_qint8_avx512_vnni.onnx", error.Message);
        await Assert.ThrowsAsync<ArgumentException>(() => Downloader().PullAsync("../etc"));
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static string GitBlobSha1(byte[] content) =>
        Convert.ToHexStringLower(SHA1.HashData([.. Encoding.ASCII.GetBytes($"blob {content.Length}\0"), .. content]));
}

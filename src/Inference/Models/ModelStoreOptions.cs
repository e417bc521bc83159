using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace RerankCluster.Inference.Models;

/// <summary>Where models are cached and pulled from (section <c>Models</c>).</summary>
public sealed class ModelStoreOptions : IValidatableObject
{
    public const string Section = "Models";

    /// <summary>Model cache; defaults to $RERANK_MODEL_CACHE, else $XDG_CACHE_HOME or ~/.cache, under rerank-cluster/models.</summary>
    public string? CacheDirectory { get; set; }

    /// <summary>Base address of the Hugging Face hub (or a mirror in its URL layout).</summary>
    public string HubEndpoint { get; set; } = "https://huggingface.co";

    /// <summary>Optional hub access token, for gated or private repositories.</summary>
    public string? HubToken { get; set; }

    /// <summary>Pull a hub model named in configuration at start-up when it is not cached yet.</summary>
    public bool AutoPull { get; set; } = true;

    public string ResolveCacheDirectory()
    {
        if (!string.IsNullOrWhiteSpace(CacheDirectory))
        {
            return Path.GetFullPath(CacheDirectory);
        }

        var fromEnv = Environment.GetEnvironmentVariable("RERANK_MODEL_CACHE");
        if (!string.IsNullOrWhiteSpace(fromEnv))
        {
            return Path.GetFullPath(fromEnv);
        }

        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var root = string.IsNullOrWhiteSpace(xdg)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache")
            : xdg;
        return Path.Combine(root, "rerank-cluster", "models");
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Uri.TryCreate(HubEndpoint, UriKind.Absolute, out var hub) || (hub.Scheme != Uri.UriSchemeHttp && hub.Scheme != Uri.UriSchemeHttps))
        {
            yield return new ValidationResult($"{Section}:HubEndpoint must be an absolute http(s) address (got '{HubEndpoint}').");
        }
    }

    /// <summary>Directory name a hub repository id is cached under ("org/name" → "org--name").</summary>
    public static string CacheFolderName(string repoId) => repoId.Replace("/", "--", StringComparison.Ordinal);
}

[OptionsValidator]
public sealed partial class ModelStoreOptionsValidator : IValidateOptions<ModelStoreOptions>;

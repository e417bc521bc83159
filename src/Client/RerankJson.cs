using System.Text.Json;
using System.Text.Json.Serialization;

namespace RerankCluster.Client;

/// <summary>The API's JSON: snake_case names, nulls left out (what the gateway reads and writes).</summary>
public static class RerankJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

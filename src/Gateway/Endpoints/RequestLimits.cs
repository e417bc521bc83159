using RerankCluster.Gateway.Configuration;

namespace RerankCluster.Gateway.Endpoints;

/// <summary>Checks a request against the Limits section; every message names the setting it broke.</summary>
public static class RequestLimits
{
    public static void RequireCount(int count, int limit, string field, string setting)
    {
        if (count > limit)
        {
            throw new ArgumentException($"{field} holds {count} items; the limit ({LimitsOptions.Section}:{setting}) is {limit}.");
        }
    }

    public static void RequireTextLength(string? text, LimitsOptions limits, string field)
    {
        if (text is not null && text.Length > limits.MaxTextCharacters)
        {
            throw new ArgumentException(
                $"{field} is {text.Length} characters; the limit ({LimitsOptions.Section}:{nameof(LimitsOptions.MaxTextCharacters)}) is {limits.MaxTextCharacters}.");
        }
    }

    public static void RequireAtMost(int? value, int limit, string field, string setting)
    {
        if (value > limit)
        {
            throw new ArgumentException($"{field} is {value}; the limit ({LimitsOptions.Section}:{setting}) is {limit}.");
        }
    }
}

using System.Globalization;
using System.Text.Json;
using AngleSharp.Dom;

namespace RerankCluster.UnitTests;

/// <summary>What the HTML report tests check a page against: its JSON, resolved here rather than by the report's own code.</summary>
internal static class ReportAssert
{
    /// <summary>The text shows the JSON value: a string as it is, a boolean as yes or no, a number rounded to the digits shown (a percentage ÷ 100).</summary>
    public static void Shows(JsonElement expected, string text, string pointer)
    {
        switch (expected.ValueKind)
        {
            case JsonValueKind.String:
                Assert.Equal(expected.GetString(), text);
                return;
            case JsonValueKind.True or JsonValueKind.False:
                Assert.Equal(expected.GetBoolean() ? "yes" : "no", text);
                return;
        }

        var scale = text.EndsWith('%') ? 100 : 1;
        var digits = text.TrimEnd('%', ' ').Replace(",", "", StringComparison.Ordinal).Replace('−', '-');
        var decimals = digits.Contains('.') ? digits.Length - digits.IndexOf('.') - 1 : 0;
        var shown = double.Parse(digits, CultureInfo.InvariantCulture) / scale;
        Assert.True(Math.Abs(shown - expected.GetDouble()) <= 0.5 * Math.Pow(10, -decimals) / scale + 1e-12,
            $"{pointer}: shows {text}, the JSON has {expected.GetRawText()}");
    }

    public static double Attribute(IElement element, string name) => double.Parse(element.GetAttribute(name)!, CultureInfo.InvariantCulture);

    /// <summary>The value at a JSON pointer (RFC 6901).</summary>
    public static JsonElement Resolve(JsonElement root, string pointer) =>
        pointer.Split('/').Skip(1).Select(t => t.Replace("~1", "/").Replace("~0", "~")).Aggregate(root, (node, token) =>
            node.ValueKind == JsonValueKind.Array ? node.EnumerateArray().ElementAt(int.Parse(token, CultureInfo.InvariantCulture)) : node.GetProperty(token));
}

using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace RerankCluster.Configuration;

/// <summary>
/// <see cref="RangeAttribute"/> for a setting: its ErrorMessage names the setting by its configuration path
/// ("Batching:MaxBatchPairs must be between {1} and {2}") and a failure adds the value found: "… (got 0).".
/// A plain [Range] would not do: the options validation generator swaps it for a copy that ignores
/// ErrorMessage (dotnet/runtime#123137), so its message could not name the setting.
/// </summary>
public sealed class SettingRangeAttribute : RangeAttribute
{
    public SettingRangeAttribute(int minimum, int maximum) : base(minimum, maximum)
    {
    }

    public SettingRangeAttribute(long minimum, long maximum)
        : base(typeof(long), minimum.ToString(CultureInfo.InvariantCulture), maximum.ToString(CultureInfo.InvariantCulture)) =>
        ParseLimitsInInvariantCulture = true;

    public SettingRangeAttribute(double minimum, double maximum) : base(minimum, maximum)
    {
    }

    /// <summary>Limits of another type, e.g. <c>typeof(TimeSpan), "00:00:00", "00:01:00"</c>, read in the invariant culture.</summary>
    public SettingRangeAttribute(Type type, string minimum, string maximum) : base(type, minimum, maximum) =>
        ParseLimitsInInvariantCulture = true;

    // No member names: the message names the setting already, and the options validator would prefix the bare property name.
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        IsValid(value) ? ValidationResult.Success : new ValidationResult($"{FormatErrorMessage(validationContext.DisplayName)} (got {value}).");
}

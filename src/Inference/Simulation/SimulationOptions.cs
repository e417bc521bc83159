using Microsoft.Extensions.Options;
using RerankCluster.Configuration;

namespace RerankCluster.Inference.Simulation;

/// <summary>
/// A simulated accelerator in place of the models (section <c>Simulation</c>), for scale tests: every
/// other part of the silo is real, the model call only waits for a modelled time. Results are labelled
/// simulated wherever they are shown.
/// </summary>
public sealed class SimulationOptions
{
    public const string Section = "Simulation";

    public bool Enabled { get; set; }

    /// <summary>Padded tokens per second the simulated cross-encoder scores on this silo.</summary>
    [SettingRange(0d, 1e9, MinimumIsExclusive = true, ErrorMessage = "Simulation:CrossEncoderTokensPerSecond must be above {1} and at most {2}")]
    public double CrossEncoderTokensPerSecond { get; set; } = 20_000;

    /// <summary>Padded tokens per second the simulated bi-encoder embeds on this silo.</summary>
    [SettingRange(0d, 1e9, MinimumIsExclusive = true, ErrorMessage = "Simulation:BiEncoderTokensPerSecond must be above {1} and at most {2}")]
    public double BiEncoderTokensPerSecond { get; set; } = 50_000;

    /// <summary>Width of the simulated bi-encoder's vectors (all-MiniLM-L6-v2's).</summary>
    [SettingRange(8, 4096, ErrorMessage = "Simulation:BiEncoderDimension must be between {1} and {2}")]
    public int BiEncoderDimension { get; set; } = 384;

    /// <summary>Fixed cost of every model call (launch, copies), added to the tokens' time.</summary>
    [SettingRange(typeof(TimeSpan), "00:00:00", "00:00:10", ErrorMessage = "Simulation:CallOverhead must be between 0 and 10 seconds")]
    public TimeSpan CallOverhead { get; set; } = TimeSpan.FromMilliseconds(2);
}

[OptionsValidator]
public sealed partial class SimulationOptionsValidator : IValidateOptions<SimulationOptions>;

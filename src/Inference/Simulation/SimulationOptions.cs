using RerankCluster.Configuration;

namespace RerankCluster.Inference.Simulation;

/// <summary>
/// A simulated accelerator in place of the models (section <c>Simulation</c>), for scale tests: every
/// other part of the silo is real, the model call only waits for a modelled time. Results are labelled
/// simulated wherever they are shown.
/// </summary>
public sealed class SimulationOptions : ISelfValidatingOptions
{
    public const string Section = "Simulation";

    public bool Enabled { get; set; }

    /// <summary>Padded tokens per second the simulated cross-encoder scores on this silo.</summary>
    public double CrossEncoderTokensPerSecond { get; set; } = 20_000;

    /// <summary>Padded tokens per second the simulated bi-encoder embeds on this silo.</summary>
    public double BiEncoderTokensPerSecond { get; set; } = 50_000;

    /// <summary>Width of the simulated bi-encoder's vectors (all-MiniLM-L6-v2's).</summary>
    public int BiEncoderDimension { get; set; } = 384;

    /// <summary>Fixed cost of every model call (launch, copies), added to the tokens' time.</summary>
    public TimeSpan CallOverhead { get; set; } = TimeSpan.FromMilliseconds(2);

    public IEnumerable<string> Validate()
    {
        if (CrossEncoderTokensPerSecond is not (> 0 and <= 1e9))
        {
            yield return $"{Section}:CrossEncoderTokensPerSecond must be above 0 and at most 1e9 (got {CrossEncoderTokensPerSecond}).";
        }

        if (BiEncoderTokensPerSecond is not (> 0 and <= 1e9))
        {
            yield return $"{Section}:BiEncoderTokensPerSecond must be above 0 and at most 1e9 (got {BiEncoderTokensPerSecond}).";
        }

        if (BiEncoderDimension is < 8 or > 4096)
        {
            yield return $"{Section}:BiEncoderDimension must be between 8 and 4096 (got {BiEncoderDimension}).";
        }

        if (CallOverhead < TimeSpan.Zero || CallOverhead > TimeSpan.FromSeconds(10))
        {
            yield return $"{Section}:CallOverhead must be between 0 and 10 seconds (got {CallOverhead}).";
        }
    }
}

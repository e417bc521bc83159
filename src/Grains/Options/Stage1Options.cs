using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using RerankCluster.Configuration;
using RerankCluster.Grains.Interfaces;
using RerankCluster.Retrieval;

namespace RerankCluster.Grains.Options;

/// <summary>How stage 1 finds candidates when a search and its index do not say (section <c>Stage1</c>).</summary>
public sealed class Stage1Options : IValidatableObject
{
    public const string Section = "Stage1";

    /// <summary>The mode of a search whose request and index name none: dense, so nothing changes for existing users.</summary>
    public Stage1Mode Mode { get; set; } = Stage1Mode.Dense;

    /// <summary>How hybrid fuses its dense and lexical lists.</summary>
    public Stage1Fusion Fusion { get; set; } = Stage1Fusion.Rrf;

    /// <summary>RRF's constant: Σ 1 / (k + rank); 60 as in Cormack et al. and most engines.</summary>
    [SettingRange(1, SearchLimits.MaxRrfK, ErrorMessage = "Stage1:RrfK must be between {1} and {2}")]
    public int RrfK { get; set; } = RankFusion.DefaultRrfK;

    /// <summary>Linear fusion's weight of the min-max normalised BM25 score (the cosine gets 1 − w).</summary>
    [SettingRange(0d, 1d, ErrorMessage = "Stage1:LexicalWeight must be between {1} and {2}")]
    public double LexicalWeight { get; set; } = 0.5;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enum.IsDefined(Mode))
        {
            yield return new ValidationResult($"{Section}:Mode must be one of dense, lexical, hybrid (got {Mode}).");
        }

        if (!Enum.IsDefined(Fusion))
        {
            yield return new ValidationResult($"{Section}:Fusion must be rrf or linear (got {Fusion}).");
        }
    }
}

[OptionsValidator]
public sealed partial class Stage1OptionsValidator : IValidateOptions<Stage1Options>;

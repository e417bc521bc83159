using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using RerankCluster.Configuration;

namespace RerankCluster.Inference;

/// <summary>The stage-2 reranking model (section <c>CrossEncoder</c>).</summary>
public sealed class CrossEncoderOptions : IValidatableObject
{
    public const string Section = "CrossEncoder";

    /// <summary>
    /// A model directory or a hub id (cross-encoder/ms-marco-MiniLM-L-6-v2 where the hub is reachable);
    /// empty means the derived test cross-encoder, whose scores are not relevance.
    /// </summary>
    public string? Model { get; set; }

    /// <summary>An ONNX file of the model other than model.onnx, e.g. model_qint8_avx512_vnni.onnx.</summary>
    public string? OnnxFile { get; set; }

    /// <summary>Further models (directories or hub ids) an index or a rerank request may name; loaded on first use.</summary>
    public string[] Allowed { get; set; } = [];

    /// <summary>
    /// Names clients hard-code (Cohere's <c>rerank-v3.5</c>, <c>rerank-english-v3.0</c>…) → a served model
    /// (<see cref="Model"/>'s name or one of <see cref="Allowed"/>), so such a client works by choice, not by
    /// accident: a name that is neither served nor an alias is refused.
    /// </summary>
    public Dictionary<string, string> Aliases { get; set; } = new(StringComparer.Ordinal);

    [SettingRange(8, 512, ErrorMessage = "CrossEncoder:MaxLength must be between {1} and {2}")]
    public int MaxLength { get; set; } = 512;

    /// <summary>
    /// Int8 (accuracy first) or Int8Dynamic (speed first) run a quantised copy of the graph, for CPU silos
    /// with VNNI; Fp16 runs the MatMuls in fp16, for CUDA silos. Copies are made once, in C#, into the model
    /// cache. Leave at Fp32 for an OnnxFile that is already quantised or converted.
    /// </summary>
    public ModelPrecision Precision { get; set; } = ModelPrecision.Fp32;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        Aliases.Where(a => string.IsNullOrWhiteSpace(a.Value))
            .Select(a => new ValidationResult($"{Section}:Aliases:{a.Key} must name a served model (got '{a.Value}')."));
}

[OptionsValidator]
public sealed partial class CrossEncoderOptionsValidator : IValidateOptions<CrossEncoderOptions>;

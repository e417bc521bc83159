using System.Text.Json;
using RerankCluster.Inference.Models;
using RerankCluster.Inference.Onnx;
using RerankCluster.Inference.Tokenization;

namespace RerankCluster.Training.Trainer;

/// <summary>
/// What ONNX Runtime computes for a few (query, passage) pairs with the starting encoder: its last
/// hidden states and pooled [CLS] output. The trainer must reproduce them from the weights it mapped
/// before it may train, which proves the ONNX → torch mapping.
/// </summary>
public static class EncoderParityProbe
{
    public const string FileName = "probe.json";
    public const string PooledOutput = "924";

    public static void Write(ModelFiles encoder, OnnxSessionFactory sessions, IReadOnlyList<(string Query, string Passage)> pairs, int maxLength, string path)
    {
        var tokenizer = encoder.CreateTokenizer();
        using var batch = EncodedBatch.Pad(
            pairs.Select(p => tokenizer.EncodePair(tokenizer.Tokenize(p.Query), tokenizer.Tokenize(p.Passage), maxLength)).ToArray(),
            tokenizer.PadId);
        var hidden = Run(encoder, sessions, batch, "last_hidden_state");
        var pooled = Run(encoder, sessions, batch, PooledOutput);
        File.WriteAllText(path, JsonSerializer.Serialize(new
        {
            input_ids = Rows(batch.InputIds, batch.Width),
            attention_mask = Rows(batch.AttentionMask, batch.Width),
            token_type_ids = Rows(batch.TokenTypeIds, batch.Width),
            last_hidden_state = hidden,
            pooled,
        }));
    }

    private static float[] Run(ModelFiles encoder, OnnxSessionFactory sessions, EncodedBatch batch, string output)
    {
        var session = sessions.Create(encoder.OnnxPath, out var provider);
        using var bert = new BertOnnxSession(session, provider, outputs => outputs.ContainsKey(output)
            ? output
            : throw new NotSupportedException($"'{encoder.OnnxPath}' has no output '{output}': the trainer starts from a MiniLM graph with last_hidden_state and its pooled output."));
        return bert.Run(batch, out _);
    }

    private static long[][] Rows(Memory<long> values, int width) =>
        Enumerable.Range(0, width == 0 ? 0 : values.Length / width).Select(r => values.Slice(r * width, width).ToArray()).ToArray();
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using RerankCluster.Inference.Models;

namespace RerankCluster.Training;

/// <summary>
/// The Hugging Face-layout files around a trained model.onnx: vocabulary, tokenizer and model config,
/// and the model card that says what it was trained on, how long, and how well it ranks.
/// </summary>
public static class TrainedModelLayout
{
    public const string SummaryFile = "training_summary.json";

    public static void WriteCompanionFiles(ModelFiles encoder, string directory)
    {
        encoder.CopyTokenizerTo(directory);
        AtomicFile.WriteText(Path.Combine(directory, "config.json"),
            "{\"architectures\": [\"BertForSequenceClassification\"], \"model_type\": \"bert\", \"num_labels\": 1, " +
            $"\"hidden_size\": 384, \"num_hidden_layers\": 6, \"base_model\": \"{ShippedMiniLm.RepoId}\"}}\n");
    }

    /// <param name="evaluations">metrics.json of `rerank eval` on each source's held-out data that was evaluated.</param>
    public static void WriteModelCard(string directory, string name, string dataDescription, double exportParity,
        IReadOnlyList<(string Source, JsonElement Metrics)> evaluations)
    {
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, SummaryFile)));
        var s = summary.RootElement;
        var history = s.GetProperty("loss_history").EnumerateArray().ToList();
        var card = new StringBuilder();
        card.AppendLine($"# {name}");
        card.AppendLine();
        card.AppendLine($"A cross-encoder reranker trained on this machine by `rerank train-reranker`, initialised from {ShippedMiniLm.RepoId} " +
                        "(encoder and [CLS] pooler; the word embeddings are kept frozen) plus a one-logit head. Same architecture and compute as " +
                        "cross-encoder/ms-marco-MiniLM-L-6-v2, which stays the recommended model wherever the Hugging Face hub is reachable.");
        card.AppendLine();
        card.AppendLine("## Data");
        card.AppendLine(dataDescription);
        card.AppendLine();
        card.AppendLine("## Training");
        card.AppendLine(Invariant($"- {s.GetProperty("groups").GetInt32()} groups of 1 positive + {s.GetProperty("group_size").GetInt32() - 1} negatives"));
        card.AppendLine(Invariant($"- {s.GetProperty("steps").GetInt32()} steps × {s.GetProperty("groups_per_step").GetInt32()} groups = {s.GetProperty("pairs_seen").GetInt32()} pairs seen; max length {s.GetProperty("max_length").GetInt32()}"));
        card.AppendLine(Invariant($"- loss: softmax cross-entropy over each group; AdamW, peak learning rate {s.GetProperty("learning_rate").GetDouble():g}, warm-up {s.GetProperty("warmup").GetDouble():P0} of steps then linear decay, weight decay {s.GetProperty("weight_decay").GetDouble():g}, seed {s.GetProperty("seed").GetInt32()}"));
        card.AppendLine(Invariant($"- wall time {s.GetProperty("seconds").GetDouble() / 60:F1} min on {s.GetProperty("threads").GetInt32()} CPU threads (torch {s.GetProperty("torch").GetString()})"));
        if (history.Count > 0)
        {
            card.AppendLine(Invariant($"- training loss {history[0].GetProperty("loss").GetDouble():F3} (first {history[0].GetProperty("step").GetInt32()} steps) → {history[^1].GetProperty("loss").GetDouble():F3} (last logged window)"));
        }

        if (s.TryGetProperty("mapping_parity", out var mapping) && mapping.ValueKind == JsonValueKind.Object)
        {
            card.AppendLine(Invariant($"- weight mapping checked before training: torch hidden states equal ONNX Runtime's within {mapping.GetProperty("hidden_max_abs_diff").GetDouble():0.##e+0}"));
        }

        card.AppendLine(Invariant($"- export checked: the C# cross-encoder reproduces torch's logits within {exportParity:0.##e+0}"));
        foreach (var (source, metrics) in evaluations)
        {
            card.AppendLine();
            card.AppendLine(Invariant($"## Held-out evaluation: {source} ({metrics.GetProperty("queries").GetInt32()} queries, {metrics.GetProperty("documents").GetInt32()} documents, {metrics.GetProperty("candidates").GetInt32()} candidates reranked)"));
            card.AppendLine("| metric | stage 1 (bi-encoder) | stage 2 (this reranker) |");
            card.AppendLine("|---|---|---|");
            var stage1 = metrics.GetProperty("stage1");
            var stage2 = metrics.GetProperty("stage2");
            foreach (var metric in stage1.EnumerateObject().Select(p => p.Name).Where(n => n.StartsWith("success@", StringComparison.Ordinal) || n is "ndcg@10" or "mrr@10").Distinct())
            {
                card.AppendLine(Invariant($"| {metric} | {stage1.GetProperty(metric).GetDouble():F3} | {stage2.GetProperty(metric).GetDouble():F3} |"));
            }
        }

        AtomicFile.WriteText(Path.Combine(directory, "README.md"), card.ToString());
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

using RerankCluster.Evaluation;
using RerankCluster.Inference;
using RerankCluster.Inference.Models;

namespace RerankCluster.UnitTests.Training;

/// <summary>
/// The committed default reranker against the committed length-trap probe (samples/probes/length-trap):
/// each question's short answer must outrank the long passages that do not answer it.
/// </summary>
[Collection(ModelCollection.Name)]
public sealed class LengthTrapProbeTests(ModelFixture models)
{
    private static readonly string Probe = Path.Combine(AppContext.BaseDirectory, "probes", "length-trap");

    [Fact]
    public void The_default_reranker_ranks_each_short_answer_above_every_long_irrelevant_passage()
    {
        var data = BeirDataset.Load(Probe);
        var documents = data.ReadCorpus().ToDictionary(d => d.Id);
        using var reranker = new CrossEncoder(TrainedCrossEncoder.Ensure(models.CacheDirectory), models.Sessions);
        var scores = new Dictionary<string, IReadOnlyList<(string, double)>>();
        foreach (var query in data.Queries)
        {
            var judged = data.Qrels.For(query.Id).Keys.ToList();
            var logits = reranker.Score(query.Text, judged.Select(id => documents[id].IndexedText).ToList());
            scores[query.Id] = judged.Select((id, i) => (id, (double)logits[i])).ToList();
        }

        var summary = JudgedSetRanking.Summarise(scores, data.Qrels, id => documents[id].Metadata!.Value.GetProperty("kind").GetString()!.StartsWith("long"));

        Assert.Equal(30, summary.Queries);
        Assert.True(summary.RelevantBelowTrap == 0, $"answers below a long irrelevant passage in: {string.Join(", ", summary.FailedQueries)}");
        Assert.True(summary.RelevantFirst >= 0.95, $"answer first in {summary.RelevantFirst:P0}; failed: {string.Join(", ", summary.FailedQueries)}");
    }
}

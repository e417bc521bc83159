using RerankCluster.Grains.Interfaces;
using RerankCluster.Grains.Reranking;
using RerankCluster.Inference.Batching;

namespace RerankCluster.UnitTests;

[Collection(ModelCollection.Name)]
public sealed class BatchAssemblyTests(ModelFixture models)
{
    [Theory]
    [InlineData(50, 16, 16384)]
    [InlineData(50, 8, 2048)]
    [InlineData(7, 16, 16384)]
    [InlineData(1, 1, 512)]
    [InlineData(33, 5, 600)]
    public void Plan_puts_every_pair_in_exactly_one_batch_within_bounds(int pairs, int maxPairs, long budget)
    {
        var random = new Random(pairs * 31 + maxPairs);
        var lengths = Enumerable.Range(0, pairs).Select(_ => random.Next(20, 300)).ToArray();
        var plan = MicroBatchPlanner.Plan(lengths, maxPairs, budget);

        Assert.Equal(Enumerable.Range(0, pairs), plan.SelectMany(b => b).Order());
        foreach (var batch in plan)
        {
            Assert.InRange(batch.Length, 1, maxPairs);
            var padded = (long)batch.Length * batch.Max(i => lengths[i]);
            Assert.True(batch.Length == 1 || padded <= budget, $"batch of {batch.Length} pads to {padded} > {budget}");
        }

        // Rows are evened out: no batch is less than half the size of the largest when only rows bound them.
        if (budget >= 300L * maxPairs)
        {
            Assert.True(plan.Min(b => b.Length) * 2 >= plan.Max(b => b.Length) || plan.Count == 1);
        }
    }

    [Fact]
    public void Plan_with_a_padding_limit_never_pads_a_row_beyond_it()
    {
        var random = new Random(5);
        var lengths = Enumerable.Range(0, 400).Select(_ => random.Next(20, 320)).ToArray();
        var plan = MicroBatchPlanner.Plan(lengths, 64, 16384, maxPaddingFraction: 0.2);

        Assert.Equal(Enumerable.Range(0, lengths.Length), plan.SelectMany(b => b).Order());
        Assert.All(plan, batch =>
        {
            var width = batch.Max(i => lengths[i]);
            Assert.All(batch, i => Assert.True(lengths[i] >= width * 0.8, $"length {lengths[i]} in a batch {width} wide"));
        });
        var unlimited = MicroBatchPlanner.Plan(lengths, 64, 16384);
        Assert.True(Padding(plan, lengths) < Padding(unlimited, lengths));

        static double Padding(IReadOnlyList<int[]> batches, int[] lengths) =>
            batches.Sum(b => b.Length * b.Max(i => lengths[i]) - b.Sum(i => lengths[i]));
    }

    [Fact]
    public void Plan_groups_similar_lengths_so_padding_stays_small()
    {
        int[] lengths = [20, 300, 22, 290, 21, 310, 19, 305];
        var plan = MicroBatchPlanner.Plan(lengths, 4, 16384);
        Assert.Equal(2, plan.Count);
        Assert.All(plan, batch => Assert.True(batch.Max(i => lengths[i]) - batch.Min(i => lengths[i]) < 30));
    }

    [Fact]
    public async Task Batched_scores_come_back_in_candidate_order_and_equal_unbatched_scores()
    {
        const string query = "how do vaccines protect people";
        var passages = Enumerable.Range(0, 23)
            .Select(i => $"Passage {i}: " + string.Join(' ', Enumerable.Repeat("immune system training", 1 + i % 9)))
            .ToArray();
        var tokenizer = models.CrossEncoder.Tokenizer;
        var queryTokens = tokenizer.Tokenize(query).Length;
        var lengths = passages.Select(p => queryTokens + tokenizer.Tokenize(p).Length + 3).ToArray();
        var dispatched = new List<string[]>();

        var plan = Enumerable.Range(0, passages.Length).GroupBy(i => i % 5).Select(part => part.ToArray()).ToArray();
        var outcome = await MicroBatchReranker.Rerank(query, passages, lengths, plan, (n, batch, _, _) =>
        {
            lock (dispatched)
            {
                dispatched.Add(batch.Passages);
            }

            return Task.FromResult(new RerankBatchResult(models.CrossEncoder.Score(batch.Query, batch.Passages), "test", 0, 0, 0, 0));
        });

        Assert.Equal(passages.Order(), dispatched.SelectMany(p => p).Order());
        Assert.Equal(5, dispatched.Count);
        for (var i = 0; i < passages.Length; i++)
        {
            var alone = models.CrossEncoder.Score(query, [passages[i]])[0];
            Assert.Equal(alone, outcome.Logits[i], 1e-4f);
        }
    }

    [Fact]
    public async Task A_batch_answering_the_wrong_number_of_scores_fails_loudly()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => MicroBatchReranker.Rerank("q", ["a", "b", "c"], [5, 5, 5], [[0, 1], [2]],
            (_, batch, _, _) => Task.FromResult(new RerankBatchResult([1f], "test", 0, 0, 0, 0))));
        Assert.Contains("scores for", error.Message);
    }
}

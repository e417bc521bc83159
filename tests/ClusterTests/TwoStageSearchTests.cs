using System.Numerics.Tensors;
using RerankCluster.Grains.Interfaces;
using RerankCluster.Inference;
using RerankCluster.Inference.Models;

namespace RerankCluster.ClusterTests;

[Collection(TwoSiloCollection.Name)]
public sealed class TwoStageSearchTests(TwoSiloCluster fixture)
{
    private const int Shards = 4;

    [Fact]
    public async Task Searches_entered_by_different_read_entries_run_on_every_silo_not_only_the_one_gateway_of_the_index()
    {
        var key = IndexKey.For("t1", "read-entries");
        await fixture.Client.GetGrain<IIndexGrain>(key).Create(new IndexSettings(2));
        await fixture.Client.Upsert(key, SampleCorpus.Documents().Take(8).ToArray());

        var before = await QueryActivationsPerSilo();

        // The client sends every call to one grain key through one gateway silo, where the stateless query worker then runs.
        for (var entry = 0; entry < ReadEntry.Count; entry++)
        {
            await fixture.Client.GetGrain<IQueryGrain>(entry, key).Search(new SearchRequest("planets around other stars", 3, 5));
        }

        var after = await QueryActivationsPerSilo();
        var gained = after.Count(silo => silo.Value > before.GetValueOrDefault(silo.Key));
        Assert.True(gained == TwoSiloCluster.Silos, $"query activations before {string.Join(", ", before)}, after {string.Join(", ", after)}");
    }

    /// <summary>Stateless workers are counted per silo, not listed per key: a silo that ran one of these searches has more.</summary>
    private async Task<Dictionary<SiloAddress, int>> QueryActivationsPerSilo() =>
        (await fixture.Client.GetGrain<IManagementGrain>(0).GetSimpleGrainStatistics())
        .Where(a => a.GrainType.Contains("QueryGrain", StringComparison.Ordinal))
        .GroupBy(a => a.SiloAddress).ToDictionary(g => g.Key, g => g.Sum(a => a.ActivationCount));

    [Fact]
    public async Task Search_equals_brute_force_over_the_same_embeddings_and_spreads_over_silos()
    {
        var documents = SampleCorpus.Documents();
        var index = fixture.Client.GetGrain<IIndexGrain>(IndexKey.For("t1", "brute-force"));
        await index.Create(new IndexSettings(Shards));
        var upsert = await fixture.Client.Upsert(IndexKey.For("t1", "brute-force"), documents.ToArray());
        Assert.Equal(documents.Count, upsert.Documents);

        var stats = await index.Stats();
        Assert.Equal(documents.Count, stats.Sum(s => s.Documents));
        Assert.True(stats.Select(s => s.Silo).Distinct().Count() > 1, "every shard landed on one silo");

        const string query = "how do scientists find planets around other stars";
        const int candidates = 20;
        const int topK = 5;
        var response = await fixture.Client.GetGrain<IQueryGrain>(0, IndexKey.For("t1", "brute-force"))
            .Search(new SearchRequest(query, topK, candidates));

        // Brute force: cosine over every document, then the cross-encoder over the best candidates,
        // ordered by the stage-1 weight the default model declares (min-max of each score, interpolated).
        var queryVector = fixture.BiEncoder.Embed(query);
        var vectors = fixture.BiEncoder.Embed(documents.Select(d => d.Text).ToArray());
        var stage1 = documents.Select((d, i) => (d, score: TensorPrimitives.Dot(queryVector, vectors[i])))
            .OrderByDescending(x => x.score).Take(candidates).ToArray();
        var logits = fixture.CrossEncoder.Score(query, stage1.Select(x => x.d.Text).ToArray());
        var weight = fixture.CrossEncoder.Model.Stage1Weight;
        double Scaled(float value, IEnumerable<float> all) => (value - all.Min()) / Math.Max(1e-12, all.Max() - all.Min());
        var expected = stage1.Select((x, rank) => (x.d.Id, rank: rank + 1, logit: logits[rank],
                final: (1 - weight) * Scaled(logits[rank], logits) + weight * Scaled(x.score, stage1.Select(s => s.score))))
            .OrderByDescending(x => x.final).Take(topK).ToArray();
        Assert.Equal(weight, response.Stage1Weight);

        Assert.Equal(expected.Select(e => e.Id), response.Results.Select(r => r.DocumentId));
        for (var i = 0; i < topK; i++)
        {
            Assert.Equal(expected[i].logit, response.Results[i].Score, 1e-4f);
            Assert.Equal(expected[i].rank, response.Results[i].Stage1Rank);
            Assert.Equal(Logits.Probability(expected[i].logit), response.Results[i].Probability, 1e-4);
        }

        Assert.Equal(candidates, response.Timings.Candidates);
        // Two idle silos of one speed: the pairs are split into one part for each.
        Assert.Equal(TwoSiloCluster.Silos, response.Timings.Rerank.Silos.Length);
        Assert.Equal(TwoSiloCluster.Silos, response.Timings.Rerank.Batches);
        Assert.Equal(fixture.CrossEncoder.ScoresAreRelevance, response.ScoresAreRelevance);
    }

    [Fact]
    public async Task A_searchs_stage1_weight_moves_the_order_from_the_rerankers_to_stage_1s()
    {
        var key = IndexKey.For("t1", "fusion");
        await fixture.Client.GetGrain<IIndexGrain>(key).Create(new IndexSettings(2));
        await fixture.Client.Upsert(key, SampleCorpus.Documents().ToArray());
        var query = fixture.Client.GetGrain<IQueryGrain>(0, key);
        const string text = "how do scientists find planets around other stars";

        var reranker = await query.Search(new SearchRequest(text, 10, 10, Stage1Weight: 0));
        var stage1 = await query.Search(new SearchRequest(text, 10, 10, Stage1Weight: 1));

        Assert.Equal(0, reranker.Stage1Weight);
        Assert.Equal(reranker.Results.Select(r => r.Score).OrderDescending(), reranker.Results.Select(r => r.Score));
        Assert.Equal(1, stage1.Stage1Weight);
        Assert.Equal(Enumerable.Range(1, 10), stage1.Results.Select(r => r.Stage1Rank));
        // Same candidates, same logits: only the order differs.
        Assert.Equal(reranker.Results.ToDictionary(r => r.DocumentId, r => r.Score), stage1.Results.ToDictionary(r => r.DocumentId, r => r.Score));
        Assert.NotEqual(reranker.Results.Select(r => r.DocumentId), stage1.Results.Select(r => r.DocumentId));
        var refused = await Assert.ThrowsAsync<InvalidRequestException>(() => query.Search(new SearchRequest(text, 10, 10, Stage1Weight: 1.5)));
        Assert.Contains("stage1_weight", refused.Message);
    }

    [Fact]
    public async Task Reupsert_replaces_and_delete_removes_a_document()
    {
        var key = IndexKey.For("t1", "lifecycle");
        var index = fixture.Client.GetGrain<IIndexGrain>(key);
        await index.Create(new IndexSettings(2));
        await fixture.Client.Upsert(key, [new DocumentInput("a", "The violin has four strings."), new DocumentInput("b", "Bread needs yeast to rise.")]);
        var replaced = await fixture.Client.Upsert(key, [new DocumentInput("a", "Glaciers carve valleys into mountains.")]);
        Assert.Equal(1, replaced.Replaced);

        var query = fixture.Client.GetGrain<IQueryGrain>(0, key);
        var hits = await query.Search(new SearchRequest("glaciers and valleys", 2, 2));
        Assert.Contains(hits.Results, r => r.DocumentId == "a" && r.Text!.Contains("Glaciers"));
        Assert.DoesNotContain(hits.Results, r => r.Text!.Contains("violin"));

        Assert.True(await index.DeleteDocument("a"));
        Assert.False(await index.DeleteDocument("a"));
        var after = await query.Search(new SearchRequest("glaciers and valleys", 1, 5));
        Assert.Equal(["b"], after.Results.Select(r => r.DocumentId));
        Assert.Equal(1, (await index.Stats()).Sum(s => s.Documents));
    }

    [Fact]
    public async Task Long_documents_are_chunked_not_truncated()
    {
        var key = IndexKey.For("t1", "long");
        var index = fixture.Client.GetGrain<IIndexGrain>(key);
        await index.Create(new IndexSettings(1));
        var filler = string.Join(' ', Enumerable.Range(0, 400).Select(i => $"filler{i % 7}"));
        var text = $"{filler} The secret ingredient of the recipe is smoked paprika.";
        var result = await fixture.Client.Upsert(key, [new DocumentInput("long", text)]);
        Assert.True(result.Chunks > 1, $"expected several chunks, got {result.Chunks}");

        // Every chunk is a verbatim slice of the document and together they reach its last sentence.
        var hits = await fixture.Client.GetGrain<IQueryGrain>(0, key)
            .Search(new SearchRequest("secret ingredient smoked paprika", result.Chunks, result.Chunks));
        Assert.Equal(result.Chunks, hits.Results.Length);
        Assert.All(hits.Results, r => Assert.Contains(r.Text!, text));
        Assert.Contains(hits.Results, r => r.Text!.EndsWith("smoked paprika.", StringComparison.Ordinal));
        Assert.Equal(Enumerable.Range(0, result.Chunks), hits.Results.Select(r => r.ChunkIndex).Order());
    }

    [Fact]
    public async Task An_index_can_use_another_served_cross_encoder_but_not_an_unserved_one()
    {
        var key = IndexKey.For("t1", "int8-index");
        var index = fixture.Client.GetGrain<IIndexGrain>(key);
        var refused = await Assert.ThrowsAsync<InvalidRequestException>(() => index.Create(new IndexSettings(2, CrossEncoder: "/etc/some-model")));
        Assert.Contains("CrossEncoder:Allowed", refused.Message);

        var info = await index.Create(new IndexSettings(2, CrossEncoder: fixture.AllowedCrossEncoder));
        Assert.Equal(fixture.AllowedCrossEncoder, info.CrossEncoder);
        await fixture.Client.Upsert(key, SampleCorpus.Documents().Take(10).ToArray());
        var response = await fixture.Client.GetGrain<IQueryGrain>(0, key).Search(new SearchRequest("how long is a marathon", 3, 10));
        Assert.EndsWith(ReducedPrecisionModel.Suffix(ModelPrecision.Int8), response.CrossEncoder);
        Assert.Equal(3, response.Results.Length);

        // The served default, by the name every response reports: a conflict with the index's model, not "not served".
        var conflict = await Assert.ThrowsAsync<ConflictException>(() =>
            index.Create(new IndexSettings(2, CrossEncoder: ModelResolver.DefaultCrossEncoderName)));
        Assert.Contains("cross_encoder", conflict.Message);
    }

    [Fact]
    public async Task A_repeated_search_is_answered_from_the_caches_with_the_same_results()
    {
        var key = IndexKey.For("t1", "cached");
        await fixture.Client.GetGrain<IIndexGrain>(key).Create(new IndexSettings(2));
        await fixture.Client.Upsert(key, SampleCorpus.Documents().Take(12).ToArray());
        var query = fixture.Client.GetGrain<IQueryGrain>(0, key);
        var request = new SearchRequest("what happens to light near a black hole", 4, 12);

        var first = await query.Search(request);
        var second = await query.Search(request);

        Assert.True(first.Timings.Rerank.Batches > 0);
        Assert.Equal(0, second.Timings.Rerank.Batches);
        Assert.Equal(first.Results.Select(r => (r.DocumentId, r.Score)), second.Results.Select(r => (r.DocumentId, r.Score)));
    }
}

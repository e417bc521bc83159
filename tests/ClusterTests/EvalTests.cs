using System.Numerics.Tensors;
using System.Text.Json;
using RerankCluster.Cli.Commands;
using RerankCluster.Evaluation;
using RerankCluster.Inference;
using RerankCluster.Inference.Models;
using RerankCluster.Inference.Onnx;

namespace RerankCluster.ClusterTests;

[Collection(EmbeddedGatewayCollection.Name)]
public sealed class EvalTests(EmbeddedGateway gateway)
{
    [Fact]
    public async Task Eval_writes_runs_and_metrics_and_stage1_matches_exact_cosine()
    {
        var output = Path.Combine(Path.GetTempPath(), $"rerank-eval-{Guid.NewGuid():N}");
        try
        {
            using var metrics = await EvalCommand.RunAsync(gateway.Client,
                new EvalCommand.Settings(SampleCorpus.BeirMini, output, 50, 5, null, "test", 16), TextWriter.Null, CancellationToken.None);

            var dataset = BeirDataset.Load(SampleCorpus.BeirMini);
            Assert.Equal(dataset.Queries.Count, metrics.RootElement.GetProperty("queries").GetInt32());
            var stage1Lines = File.ReadAllLines(Path.Combine(output, "stage1.trec"));
            var stage2Lines = File.ReadAllLines(Path.Combine(output, "stage2.trec"));
            Assert.All(stage1Lines.Concat(stage2Lines), line => Assert.Equal(6, line.Split(' ').Length));
            Assert.All(stage2Lines, line => Assert.Equal("Q0", line.Split(' ')[1]));

            // Independent stage 1: exact cosine over every document with the same bi-encoder.
            using var encoder = new BiEncoder(ShippedMiniLm.Ensure(new ModelStoreOptions().ResolveCacheDirectory()),
                new OnnxSessionFactory(new OnnxRuntimeOptions()));
            var corpus = dataset.ReadCorpus().ToList();
            var vectors = encoder.Embed(corpus.Select(d => d.IndexedText).ToArray());
            var run = dataset.Queries.ToDictionary(q => q.Id, q =>
            {
                var query = encoder.Embed(q.Text);
                return (IReadOnlyList<string>)corpus.Select((d, i) => (d.Id, score: TensorPrimitives.Dot(query, vectors[i])))
                    .OrderByDescending(x => x.score).Take(EvalCommand.Stage1Depth).Select(x => x.Id).ToList();
            });
            var expected = RankingMetrics.Summarise(run, dataset.Qrels);
            var reported = metrics.RootElement.GetProperty("stage1");
            foreach (var (name, value) in expected)
            {
                Assert.Equal(value, reported.GetProperty(name).GetDouble(), 1e-6);
            }

            // Stage 2 reorders the same candidates: recall at the candidate depth cannot change.
            Assert.Equal(reported.GetProperty("recall@50").GetDouble(),
                metrics.RootElement.GetProperty("stage2").GetProperty("recall@50").GetDouble(), 1e-9);
            Assert.True(metrics.RootElement.GetProperty("timings").GetProperty("per_query").GetProperty("rerank_ms").GetProperty("count").GetInt32() > 0);
        }
        finally
        {
            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }
        }
    }
}

using RerankCluster.Inference;
using RerankCluster.Inference.Models;

namespace RerankCluster.UnitTests;

[Collection(ModelCollection.Name)]
public sealed class BertOnnxSessionTests(ModelFixture models)
{
    [Fact]
    public async Task Disposing_while_runs_are_in_flight_lets_them_finish_and_refuses_new_ones()
    {
        var encoder = new CrossEncoder(DerivedTestCrossEncoder.Ensure(models.CacheDirectory), models.Sessions);
        var passages = Enumerable.Range(0, 16).Select(i => string.Join(' ', Enumerable.Repeat($"river{i} stone delta", 20))).ToArray();
        var expected = encoder.Score("a question about rivers", passages);
        using var firstRound = new CountdownEvent(4);

        // Four threads score in a loop; the session is disposed while they run. Each run either
        // completes with the right scores or is refused with ObjectDisposedException; none may
        // crash the process or see a freed session.
        var runners = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            var completed = 0;
            while (true)
            {
                float[] scores;
                try
                {
                    scores = encoder.Score("a question about rivers", passages);
                }
                catch (ObjectDisposedException)
                {
                    return completed;
                }

                Assert.Equal(expected, scores);
                if (completed++ == 0)
                {
                    firstRound.Signal();
                }
            }
        })).ToArray();

        firstRound.Wait(TimeSpan.FromMinutes(2));
        encoder.Dispose();
        var runs = await Task.WhenAll(runners);

        Assert.All(runs, completed => Assert.True(completed >= 1));
        Assert.Throws<ObjectDisposedException>(() => encoder.Score("after", ["disposed"]));
        encoder.Dispose();
    }
}

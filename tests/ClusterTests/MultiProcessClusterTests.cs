using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RerankCluster.Cli.Hosting;
using RerankCluster.Grains.Interfaces;
using RerankCluster.Grains.Storage;
using StackExchange.Redis;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;
using static RerankCluster.ClusterTests.HttpAssert;

namespace RerankCluster.ClusterTests;

public sealed class MultiProcessClusterTests(ProcessCluster cluster, ITestOutputHelper output) : IClassFixture<ProcessCluster>
{
    private static readonly string[] Queries =
    [
        "how do scientists find planets around other stars",
        "what is the capital city of australia",
        "why are coral reefs turning white",
    ];

    private static object Documents() => new
    {
        documents = File.ReadLines(Path.Combine(SampleCorpus.Directory, "sample-corpus.jsonl"))
            .Select(line => JsonSerializer.Deserialize<JsonElement>(line)).ToArray(),
    };

    [Fact]
    public async Task Silo_processes_behind_a_gateway_match_embedded_mode_and_lose_nothing_when_a_silo_is_killed()
    {
        using var client = await cluster.NewTenant("durable");
        await Ok(await client.PutAsJsonAsync("v1/indexes/docs", new { shards = 4 }));
        var upsert = await Ok(await client.PostAsJsonAsync("v1/indexes/docs/documents", Documents()));
        var acknowledged = upsert.GetProperty("documents").GetInt32();
        var info = await Ok(await client.GetAsync("v1/indexes/docs"));
        Assert.True(info.GetProperty("shard_stats").EnumerateArray().Select(s => s.GetProperty("silo").GetString()).Distinct().Count() > 1,
            "all shards landed on one silo process");

        // Same data, same queries, embedded single-process mode: the answers must be the same.
        await using (var embedded = await EmbeddedCluster.StartAsync(EmbeddedCluster.FreePorts(), quiet: true))
        {
            using var local = new HttpClient { BaseAddress = embedded.BaseAddress };
            await Ok(await local.PutAsJsonAsync("v1/indexes/docs", new { shards = 4 }));
            await Ok(await local.PostAsJsonAsync("v1/indexes/docs/documents", Documents()));
            foreach (var query in Queries)
            {
                var body = new { query, top_k = 5, candidates = 30 };
                var distributed = await Ok(await client.PostAsJsonAsync("v1/indexes/docs/search", body));
                var single = await Ok(await local.PostAsJsonAsync("v1/indexes/docs/search", body));
                var expected = single.GetProperty("results").EnumerateArray().ToArray();
                var actual = distributed.GetProperty("results").EnumerateArray().ToArray();
                Assert.Equal(expected.Select(r => r.GetProperty("id").GetString()), actual.Select(r => r.GetProperty("id").GetString()));
                for (var i = 0; i < expected.Length; i++)
                {
                    Assert.Equal(expected[i].GetProperty("score").GetDouble(), actual[i].GetProperty("score").GetDouble(), 1e-4);
                }

                Assert.Equal(2, distributed.GetProperty("timings").GetProperty("rerank_silos").GetArrayLength());
            }
        }

        // A crash: SIGKILL one silo process, then every acknowledged document must come back.
        await cluster.KillSilo(1);
        var clock = Stopwatch.StartNew();
        var failures = 0;
        JsonElement? recovered = null;
        while (clock.Elapsed < TimeSpan.FromSeconds(120))
        {
            var response = await client.PostAsJsonAsync("v1/indexes/docs/search", new { query = "anything", top_k = acknowledged, candidates = acknowledged });
            if (response.StatusCode == HttpStatusCode.OK)
            {
                recovered = await Ok(response);
                break;
            }

            Assert.True(response.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout,
                $"during failover the gateway answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}\n{cluster.Logs()}");
            failures++;
            await Task.Delay(500);
        }

        Assert.True(recovered.HasValue, $"no successful search within {clock.Elapsed.TotalSeconds:F0} s of the kill ({failures} failures)");
        output.WriteLine($"failover: first successful search {clock.Elapsed.TotalSeconds:F1} s after SIGKILL, {failures} failed attempts (503/504)");
        var ids = recovered.Value.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("id").GetString()).ToHashSet();
        Assert.Equal(acknowledged, ids.Count);
        // The index's own grain may have been on the killed silo: its settings answer once membership has moved it.
        var after = await Ok(await Retried(() => client.GetAsync("v1/indexes/docs")));
        Assert.Equal(acknowledged, after.GetProperty("documents").GetInt32());
        Assert.Single(after.GetProperty("shard_stats").EnumerateArray().Select(s => s.GetProperty("silo").GetString()).Distinct());

        // The tests after this one share the cluster: leave it once membership has declared the killed silo dead.
        await cluster.Cluster.WaitForActiveSilosAsync(1);
    }

    /// <summary>Sends until the answer is not 503/504 (a silo's work still moving), for at most two minutes.</summary>
    private static async Task<HttpResponseMessage> Retried(Func<Task<HttpResponseMessage>> send)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var response = await send();
            if (response.StatusCode is not (HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout) || clock.Elapsed > TimeSpan.FromMinutes(2))
            {
                return response;
            }

            await Task.Delay(500);
        }
    }

    [Fact]
    public async Task No_key_reaches_a_log_or_an_error_message()
    {
        using var client = await cluster.NewTenant("secrets");
        var key = client.DefaultRequestHeaders.Authorization!.Parameter!;
        await Ok(await client.PutAsJsonAsync("v1/indexes/s", new { shards = 1 }));
        using var wrong = new HttpClient { BaseAddress = cluster.Cluster.BaseAddress };
        wrong.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key + "x");
        var refused = await wrong.GetAsync("v1/indexes/s");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.DoesNotContain(key, await refused.Content.ReadAsStringAsync());
        using var admin = new HttpClient { BaseAddress = cluster.Cluster.BaseAddress };
        admin.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ProcessCluster.AdminKey);
        var rotated = await Ok(await admin.PostAsync("v1/tenants/secrets/keys", null));
        var newKey = rotated.GetProperty("api_key").GetString()!;
        await Task.Delay(TimeSpan.FromSeconds(2)); // logs are flushed asynchronously

        var logs = string.Join('\n', Directory.GetFiles(cluster.Cluster.RunDirectory, "*.log").Select(File.ReadAllText));
        Assert.NotEmpty(logs);
        foreach (var secret in new[] { key, newKey, ProcessCluster.AdminKey })
        {
            Assert.DoesNotContain(secret, logs);
        }
    }

    [Fact]
    public async Task While_redis_is_down_writes_answer_503_and_nothing_unacknowledged_is_claimed_then_it_recovers()
    {
        using var client = await cluster.NewTenant("outage");
        await Ok(await client.PutAsJsonAsync("v1/indexes/o", new { shards = 2 }));
        await Ok(await client.PostAsJsonAsync("v1/indexes/o/documents", new { documents = new[] { new { id = "before", text = "written before the outage" } } }));

        await cluster.Cluster.StopRedisAsync();
        try
        {
            var response = await client.PostAsJsonAsync("v1/indexes/o/documents", new { documents = new[] { new { id = "during", text = "written during the outage" } } });
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode}: {body}");
            Assert.Contains("storage is unreachable", body);
            Assert.True(response.Headers.RetryAfter is not null, "a 503 without Retry-After");
            Assert.DoesNotContain("127.0.0.1", body);
        }
        finally
        {
            await cluster.Cluster.StartRedisAsync();
        }

        var clock = Stopwatch.StartNew();
        HttpResponseMessage after;
        do
        {
            after = await client.PostAsJsonAsync("v1/indexes/o/documents", new { documents = new[] { new { id = "after", text = "written after the outage" } } });
        }
        while (!after.IsSuccessStatusCode && clock.Elapsed < TimeSpan.FromSeconds(60) && await Task.Delay(500).ContinueWith(_ => true));

        await Ok(after);
        var search = await Ok(await client.PostAsJsonAsync("v1/indexes/o/search", new { query = "written", top_k = 2, candidates = 3 }));
        Assert.Equal(["after", "before"], search.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("id").GetString()).Order());
    }

    [Fact]
    public async Task Storage_durability_fsync_keeps_every_acknowledged_write_when_redis_server_is_SIGKILLed_mid_stream()
    {
        using var client = await cluster.NewTenant("fsync");
        await Ok(await client.PutAsJsonAsync("v1/indexes/w", new { shards = 2 }));
        var acknowledged = new List<string>();
        var statuses = new List<string>();
        var killed = false;
        try
        {
            for (var i = 0; i < 30 && !killed; i++)
            {
                var id = $"w{i}";
                var write = client.PostAsJsonAsync("v1/indexes/w/documents", new { documents = new[] { new { id, text = $"write number {i} of the stream" } } });
                if (i == 12)
                {
                    // SIGKILL while a write is in flight: no shutdown, no final flush of the append-only file.
                    await cluster.Cluster.KillRedisAsync();
                    killed = true;
                }

                // 200 is the acknowledgement; 202 says the write became a job that has not finished (Redis is gone), not stored.
                var status = (await write).StatusCode;
                statuses.Add($"{id}: {(int)status}");
                if (status == HttpStatusCode.OK)
                {
                    acknowledged.Add(id);
                }
            }
        }
        finally
        {
            await cluster.Cluster.StartRedisAsync();
        }

        Assert.True(acknowledged.Count >= 12, $"only {acknowledged.Count} writes were acknowledged before the kill");
        // Read back from the restarted server itself: the silos' in-memory copies prove nothing about Redis.
        using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{cluster.Cluster.RedisPort}");
        var stored = new HashSet<string>();
        for (var shard = 0; shard < 2; shard++)
        {
            var fields = await redis.GetDatabase().HashKeysAsync($"rerank:shard:{IndexKey.Shard(IndexKey.For("fsync", "w"), shard)}");
            stored.UnionWith(fields.Select(f => f.ToString()));
        }

        Assert.True(!acknowledged.Except(stored).Any(),
            $"acknowledged but not in Redis: {string.Join(", ", acknowledged.Except(stored))}; answers: {string.Join(", ", statuses)}");
    }

    [Fact]
    public async Task Storage_a_shard_whose_stored_record_is_corrupt_fails_its_activation_and_the_search_names_the_document()
    {
        using var client = await cluster.NewTenant("corrupt");
        await Ok(await client.PutAsJsonAsync("v1/indexes/c", new { shards = 1 }));
        // Before the shard's first activation: a stored record cut short (a torn write, a bad restore).
        var record = DocumentChunksCodec.Encode(new DocumentChunks("torn", [new StoredChunk("torn", 0, "cut short", null, 2, new float[384])]));
        using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{cluster.Cluster.RedisPort}");
        await redis.GetDatabase().HashSetAsync($"rerank:shard:{IndexKey.Shard(IndexKey.For("corrupt", "c"), 0)}", "torn", record[..^100]);

        var response = await client.PostAsJsonAsync("v1/indexes/c/search", new { query = "anything" });

        // Not a search over the readable part of the shard: an error that names what is broken.
        await Problem(response, HttpStatusCode.InternalServerError, "'torn'");
        Assert.Contains("cannot be decoded", cluster.Logs());
    }

    [Fact]
    public async Task Storage_a_shard_with_a_truncated_record_refuses_to_load_and_names_every_broken_document()
    {
        using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{cluster.Cluster.RedisPort}");
        var good = DocumentChunksCodec.Encode(new DocumentChunks("good", [new StoredChunk("good", 0, "fine", null, 1, [1f, 0f])]));
        var broken = DocumentChunksCodec.Encode(new DocumentChunks("broken", [new StoredChunk("broken", 0, "cut", null, 1, [1f, 0f])]));
        await redis.GetDatabase().HashSetAsync("rerank:shard:corrupt/x/0",
            [new HashEntry("good", good), new HashEntry("broken", broken[..^3]), new HashEntry("garbage", new byte[] { 1, 60 })]);
        var store = new RedisShardStore(redis, "rerank", new RedisDurability(StorageDurability.Default, 1, TimeSpan.FromSeconds(1)));

        var error = await Assert.ThrowsAsync<StoredDocumentsCorruptException>(() => store.Load("corrupt/x/0"));

        Assert.Equal(["broken", "garbage"], error.DocumentIds.Order());
        Assert.Contains("corrupt/x/0", error.Message);
    }

    [Fact]
    public async Task Storage_a_stale_mark_is_cleared_only_by_the_reload_that_caught_up_with_it_and_dropped_with_its_shard()
    {
        using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{cluster.Cluster.RedisPort}");
        var store = new RedisShardStore(redis, "rerank", new RedisDurability(StorageDurability.Default, 1, TimeSpan.FromSeconds(1)));
        const string shard = "stale/x/0";
        Assert.Null(await store.StaleMark(shard, 1));

        await store.MarkStale(shard, 1, "epoch:3");
        await store.MarkStale(shard, 2, "epoch:3");
        // A write missed after the reload began replaces the mark: clearing the old one leaves the new one.
        await store.MarkStale(shard, 1, "epoch:4");
        await store.ClearStale(shard, 1, "epoch:3");
        Assert.Equal("epoch:4", await store.StaleMark(shard, 1));
        await store.ClearStale(shard, 1, "epoch:4");
        Assert.Null(await store.StaleMark(shard, 1));
        Assert.Equal("epoch:3", await store.StaleMark(shard, 2));

        await store.Drop(shard);
        Assert.Null(await store.StaleMark(shard, 2));
    }

    [Fact]
    public async Task Storage_only_the_writer_that_claimed_a_shard_last_may_write_it_and_a_dropped_shard_has_none()
    {
        using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{cluster.Cluster.RedisPort}");
        var store = new RedisShardStore(redis, "rerank", new RedisDurability(StorageDurability.Default, 1, TimeSpan.FromSeconds(1)));
        const string shard = "fenced/x/0";
        DocumentChunks Version(string text) => new("doc", [new StoredChunk("doc", 0, text, null, 1, [1f, 0f])]);

        await store.ClaimWriter(shard, "old");
        await store.Upsert(shard, "old", [Version("first")]);
        await store.ClaimWriter(shard, "new");
        await store.Upsert(shard, "new", [Version("newer")]);

        // The superseded writer thaws and sends what it held: refused, the newer write stays.
        await Assert.ThrowsAsync<ShardWriterFencedException>(() => store.Upsert(shard, "old", [Version("stale")]));
        await Assert.ThrowsAsync<ShardWriterFencedException>(() => store.Delete(shard, "old", ["doc"]));
        Assert.Equal("newer", (await store.Load(shard)).Single().Chunks[0].Text);

        await store.Drop(shard);
        await Assert.ThrowsAsync<ShardWriterFencedException>(() => store.Upsert(shard, "new", [Version("after the drop")]));
        Assert.Empty(await store.Load(shard));
    }

    [Fact]
    public async Task Storage_durability_fsync_refuses_a_redis_server_that_does_not_fsync_every_write()
    {
        var connection = ConfigurationOptions.Parse($"127.0.0.1:{cluster.Cluster.RedisPort},allowAdmin=true");
        using var redis = await ConnectionMultiplexer.ConnectAsync(connection);
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        await server.ConfigSetAsync("appendfsync", "everysec");
        try
        {
            var refused = await Assert.ThrowsAsync<InvalidOperationException>(() =>
                new RedisDurability(StorageDurability.Fsync, 1, TimeSpan.FromSeconds(1)).Verify(connection, NullLogger.Instance));
            Assert.Contains("Storage:Durability is Fsync", refused.Message);
            Assert.Contains("appendfsync everysec", refused.Message);
        }
        finally
        {
            await server.ConfigSetAsync("appendfsync", "always");
        }

        await new RedisDurability(StorageDurability.Fsync, 1, TimeSpan.FromSeconds(1)).Verify(connection, NullLogger.Instance);
    }
}

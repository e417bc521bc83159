using System.Net;
using System.Net.Http.Json;
using static RerankCluster.ClusterTests.HttpAssert;

namespace RerankCluster.ClusterTests;

[Collection(SecuredGatewayCollection.Name)]
public sealed class TenantIsolationTests(SecuredGateway gateway)
{
    [Fact]
    public async Task Keys_are_required_and_checked()
    {
        using var anonymous = gateway.Client(null);
        var missing = await anonymous.PostAsync("v1/indexes/x/search", Json("""{"query": "q"}"""));
        await Problem(missing, HttpStatusCode.Unauthorized, "API key is required");
        Assert.Equal("Bearer", missing.Headers.WwwAuthenticate.Single().Scheme);
        using var wrong = gateway.Client("rk_not-a-real-key");
        var invalid = await wrong.GetAsync("v1/indexes/x");
        await Problem(invalid, HttpStatusCode.Unauthorized, "not valid");
        Assert.Equal("Bearer", invalid.Headers.WwwAuthenticate.Single().Scheme);
        using var admin = gateway.Client(SecuredGateway.AdminKey);
        await Problem(await admin.GetAsync("v1/indexes/x"), HttpStatusCode.Forbidden, "tenant's API key");

        using var tenant = await gateway.NewTenant("keys-tenant");
        await Problem(await tenant.PostAsJsonAsync("v1/tenants", new { tenant = "intruder" }), HttpStatusCode.Unauthorized, "admin key");
        await Problem(await anonymous.PostAsJsonAsync("v1/tenants", new { tenant = "intruder" }), HttpStatusCode.Unauthorized, "admin key");
        await Problem(await admin.PostAsJsonAsync("v1/tenants", new { tenant = "keys-tenant" }), HttpStatusCode.Conflict, "already exists");
        await Problem(await admin.PostAsJsonAsync("v1/tenants", new { tenant = "Not Valid" }), HttpStatusCode.BadRequest, "tenant name");
    }

    [Fact]
    public async Task A_tenant_lists_only_its_own_indexes_in_name_order()
    {
        using var a = await gateway.NewTenant("list-a");
        using var b = await gateway.NewTenant("list-b");
        await Ok(await a.PutAsJsonAsync("v1/indexes/zeta", new { shards = 1 }));
        await Ok(await a.PutAsJsonAsync("v1/indexes/alpha", new { shards = 2 }));
        await Ok(await b.PutAsJsonAsync("v1/indexes/beta", new { shards = 1 }));

        var listed = (await Ok(await a.GetAsync("v1/indexes"))).GetProperty("indexes").EnumerateArray().ToList();
        Assert.Equal(["alpha", "zeta"], listed.Select(i => i.GetProperty("name").GetString()));
        Assert.Equal([2, 1], listed.Select(i => i.GetProperty("shards").GetInt32()));
        var alpha = await Ok(await a.GetAsync("v1/indexes/alpha"));
        Assert.Equal(alpha.GetProperty("cross_encoder").GetString(), listed[0].GetProperty("cross_encoder").GetString());
        Assert.Equal(["beta"], (await Ok(await b.GetAsync("v1/indexes"))).GetProperty("indexes").EnumerateArray().Select(i => i.GetProperty("name").GetString()));

        Assert.Equal(HttpStatusCode.NoContent, (await a.DeleteAsync("v1/indexes/zeta")).StatusCode);
        Assert.Equal(["alpha"], (await Ok(await a.GetAsync("v1/indexes"))).GetProperty("indexes").EnumerateArray().Select(i => i.GetProperty("name").GetString()));
        using var anonymous = gateway.Client(null);
        await Problem(await anonymous.GetAsync("v1/indexes"), HttpStatusCode.Unauthorized, "API key is required");
    }

    [Fact]
    public async Task A_tenant_never_sees_another_tenants_index_or_texts()
    {
        using var a = await gateway.NewTenant("tenant-a");
        using var b = await gateway.NewTenant("tenant-b");
        await Ok(await a.PutAsJsonAsync("v1/indexes/shared-name", new { shards = 2 }));
        var upsert = await Ok(await a.PostAsync("v1/indexes/shared-name/documents", Json("""
            {"documents": [{"id": "a1", "text": "Tenant A's confidential launch plan for the orbital telescope."},
                           {"id": "a2", "text": "Tenant A's salary table for the telescope team."}]}
            """)));
        var job = $"v1/indexes/shared-name/jobs/{upsert.GetProperty("job_id").GetString()}";
        Assert.Equal(2, (await Ok(await a.GetAsync(job))).GetProperty("stored").GetInt32());

        // B addresses the same index name: it does not exist for B.
        await Problem(await b.GetAsync("v1/indexes/shared-name"), HttpStatusCode.NotFound, "shared-name");
        await Problem(await b.PostAsync("v1/indexes/shared-name/search", Json("""{"query": "telescope launch plan"}""")), HttpStatusCode.NotFound, "shared-name");
        await Problem(await b.DeleteAsync("v1/indexes/shared-name/documents/a1"), HttpStatusCode.NotFound, "shared-name");
        await Problem(await b.GetAsync(job), HttpStatusCode.NotFound, "shared-name");
        await Problem(await b.DeleteAsync("v1/indexes/shared-name"), HttpStatusCode.NotFound, "shared-name");

        // B's own index of the same name holds only B's documents.
        await Ok(await b.PutAsJsonAsync("v1/indexes/shared-name", new { shards = 2 }));
        await Ok(await b.PostAsync("v1/indexes/shared-name/documents", Json("""{"documents": [{"id": "b1", "text": "Tenant B bakes bread."}]}""")));
        var results = await Ok(await b.PostAsync("v1/indexes/shared-name/search", Json("""{"query": "telescope launch plan", "top_k": 1, "candidates": 50}""")));
        var text = results.GetRawText();
        Assert.DoesNotContain("Tenant A", text);
        Assert.Contains("b1", text);

        // A's index is untouched by B's calls.
        var info = await Ok(await a.GetAsync("v1/indexes/shared-name"));
        Assert.Equal(2, info.GetProperty("documents").GetInt32());

        // Metrics carry route patterns, never a tenant's names, ids or texts.
        var metrics = await (await b.GetAsync("metrics")).Content.ReadAsStringAsync();
        Assert.Contains("rerank_requests", metrics);
        foreach (var secret in new[] { "shared-name", "tenant-a", "tenant-b", "telescope" })
        {
            Assert.DoesNotContain(secret, metrics);
        }
    }

    [Fact]
    public async Task The_orleans_dashboard_needs_the_admin_key()
    {
        using var anonymous = gateway.Client(null);
        var refused = await anonymous.GetAsync("dashboard");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.StartsWith("Basic", refused.Headers.WwwAuthenticate.ToString());

        using var tenant = await gateway.NewTenant("dashboard-peeker");
        Assert.Equal(HttpStatusCode.Unauthorized, (await tenant.GetAsync("dashboard")).StatusCode);

        using var browser = gateway.Client(null);
        browser.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"admin:{SecuredGateway.AdminKey}")));
        var page = await browser.GetAsync("dashboard/");
        Assert.True(page.StatusCode == HttpStatusCode.OK, $"{page.StatusCode}: {await page.Content.ReadAsStringAsync()}");
        Assert.Contains("<html", (await page.Content.ReadAsStringAsync()).ToLowerInvariant());
    }

    [Fact]
    public async Task Keys_rotate_and_a_revoked_key_stops_working()
    {
        using var admin = gateway.Client(SecuredGateway.AdminKey);
        var created = await HttpAssert.Ok(await admin.PostAsJsonAsync("v1/tenants", new { tenant = "rotating" }));
        var oldKey = created.GetProperty("api_key").GetString()!;
        var oldId = created.GetProperty("key_id").GetString()!;
        using var oldClient = gateway.Client(oldKey);
        Assert.Equal(HttpStatusCode.NotFound, (await oldClient.GetAsync("v1/indexes/none")).StatusCode);

        var issued = await HttpAssert.Ok(await admin.PostAsync("v1/tenants/rotating/keys", null));
        using var newClient = gateway.Client(issued.GetProperty("api_key").GetString());
        Assert.NotEqual(oldId, issued.GetProperty("key_id").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await newClient.GetAsync("v1/indexes/none")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await oldClient.GetAsync("v1/indexes/none")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"v1/tenants/rotating/keys/{oldId}")).StatusCode);
        await HttpAssert.Problem(await oldClient.GetAsync("v1/indexes/none"), HttpStatusCode.Unauthorized, "not valid");
        Assert.Equal(HttpStatusCode.NotFound, (await newClient.GetAsync("v1/indexes/none")).StatusCode);

        await HttpAssert.Problem(await admin.DeleteAsync($"v1/tenants/rotating/keys/{oldId}"), HttpStatusCode.NotFound, oldId);
        await HttpAssert.Problem(await admin.PostAsync("v1/tenants/nobody/keys", null), HttpStatusCode.NotFound, "nobody");
        await HttpAssert.Problem(await newClient.PostAsync("v1/tenants/rotating/keys", null), HttpStatusCode.Unauthorized, "admin key");
        // The key id is derived from the hash alone: the key itself is never stored or shown again.
        Assert.DoesNotContain(oldKey, issued.GetRawText());
    }
}

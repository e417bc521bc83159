using Microsoft.Extensions.FileProviders;

namespace RerankCluster.Gateway.Workbench;

/// <summary>
/// The relevance workbench at /ui: static HTML, CSS and JavaScript embedded in the gateway assembly, so
/// every way of running the gateway (its own process, `rerank serve`, the tests) serves it without a
/// content root. The page calls the public API with the key the user types; it needs no route of its own.
/// </summary>
public static class WorkbenchExtensions
{
    public const string Path = "/ui";

    /// <summary>The embedded files' resource prefix (Gateway.csproj gives each file this logical name).</summary>
    private const string ResourcePrefix = "RerankCluster.Gateway.Workbench";

    public static WebApplication UseWorkbench(this WebApplication app)
    {
        var options = new FileServerOptions
        {
            RequestPath = Path,
            FileProvider = new EmbeddedFileProvider(typeof(WorkbenchExtensions).Assembly, ResourcePrefix),
        };
        options.StaticFileOptions.OnPrepareResponse = context =>
        {
            var headers = context.Context.Response.Headers;
            // The page shows text from the index: only its own script may run, and it may only call this origin.
            headers.ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
                                            "form-action 'none'; base-uri 'none'; frame-ancestors 'none'";
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            // Revalidate, so a browser picks up the page of an upgraded gateway (unchanged files answer 304).
            headers.CacheControl = "no-cache";
        };
        app.UseFileServer(options);
        return app;
    }
}

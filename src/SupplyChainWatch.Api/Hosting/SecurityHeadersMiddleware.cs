namespace SupplyChainWatch.Api.Hosting;

/// <summary>
/// Headers that keep browsers from sniffing, framing or leaking referrers on every answer, and a content security
/// policy on HTML (the Swagger UI shell: its scripts and styles are served from this origin; the UI sets inline
/// styles and data: icons).
/// </summary>
public sealed class SecurityHeadersMiddleware(RequestDelegate next)
{
    public const string HtmlPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";

    public const string ApiPolicy = "default-src 'none'; frame-ancestors 'none'";

    /// <summary>
    /// The dashboard's pages (Blazor Server with MudBlazor): scripts from this origin only (blazor.web.js, MudBlazor.min.js;
    /// no inline script); connect-src 'self', which in CSP level 3 also admits the circuit's WebSocket to this host
    /// (ws:/wss:); style-src needs 'unsafe-inline' because MudBlazor writes its theme as an inline style element and
    /// sets style attributes on its components; base-uri 'self' for Blazor's base element, which its relative asset and
    /// navigation URLs need. Orleans' dashboard (<see cref="TelemetrySetup.OrleansDashboardPath"/>) gets it too: its own
    /// script and stylesheet from this origin, and its icon font inlined in the stylesheet as a data: URL.
    /// </summary>
    public const string DashboardPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; " +
        "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            var html = context.Response.ContentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) == true;
            headers.ContentSecurityPolicy = !html ? ApiPolicy
                : context.Request.Path.StartsWithSegments("/dashboard") || context.Request.Path.StartsWithSegments(TelemetrySetup.OrleansDashboardPath) ? DashboardPolicy
                : HtmlPolicy;
            if (context.Request.Path.StartsWithSegments("/api"))
            {
                // API answers can hold confidential data (grievance text): no shared or browser cache keeps them.
                headers.CacheControl = "no-store";
            }

            return Task.CompletedTask;
        });
        return next(context);
    }
}

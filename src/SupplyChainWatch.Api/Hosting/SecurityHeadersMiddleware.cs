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

    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            var html = context.Response.ContentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) == true;
            headers.ContentSecurityPolicy = html ? HtmlPolicy : ApiPolicy;
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

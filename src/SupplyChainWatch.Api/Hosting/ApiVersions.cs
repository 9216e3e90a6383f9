using System.Text.RegularExpressions;

namespace SupplyChainWatch.Api.Hosting;

/// <summary>
/// The API's versions. Versions are in the URL path (/api/v1/…), the most widely supported scheme for generated
/// clients: v1 is stable, so its paths, fields and answers only grow; a breaking change would come as /api/v2 beside
/// it. A request for a version that does not exist is 404 problem details naming the versions that do, not the
/// bare 404 (or 401) of an unknown path.
/// </summary>
public static partial class ApiVersions
{
    public const string Current = "v1";

    public static readonly IReadOnlyList<string> Supported = [Current];

    public static string DocumentDescription =>
        $"Version {Current} is stable: its paths, fields and answers only ever grow; a breaking change would come as a new version under its own path "
        + $"(/api/v2/…) beside it. Supported versions: {string.Join(", ", Supported)}. A request for any other version is answered 404 with the list.";

    [GeneratedRegex("^/api/(?<version>[^/]+)(/|$)", RegexOptions.CultureInvariant)]
    private static partial Regex VersionedPath();

    /// <summary>After routing: a path under /api that matched no endpoint and names an unknown version.</summary>
    public static WebApplication UseApiVersionCheck(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (context.GetEndpoint() is null && VersionedPath().Match(context.Request.Path.Value ?? string.Empty) is { Success: true } match
                && !Supported.Contains(match.Groups["version"].Value, StringComparer.Ordinal))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                var problem = new Microsoft.AspNetCore.Mvc.ProblemDetails
                {
                    Status = StatusCodes.Status404NotFound,
                    Title = "Unknown API version.",
                    Detail = $"There is no API version '{match.Groups["version"].Value}'. Supported versions: {string.Join(", ", Supported)} (e.g. /api/{Current}/suppliers).",
                };
                problem.Extensions["supportedVersions"] = Supported;
                await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
                return;
            }

            await next(context);
        });
        return app;
    }
}

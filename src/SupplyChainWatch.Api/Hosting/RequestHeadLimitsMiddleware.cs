using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace SupplyChainWatch.Api.Hosting;

/// <summary>
/// The request-target and header limits, answered with problem details. Kestrel enforces its own limits before any
/// middleware runs and answers them with an empty body; so Kestrel's limits are raised to a hard ceiling and the
/// documented limits (<see cref="MaxTargetBytes"/>, <see cref="MaxHeaderBytes"/>) are enforced here, first in the
/// pipeline, as 414 and 431 problem details. A request Kestrel cannot parse at all still gets Kestrel's bare 400: no
/// application code runs for it.
/// </summary>
public sealed class RequestHeadLimitsMiddleware(RequestDelegate next)
{
    public const int MaxTargetBytes = 8 * 1024;
    public const int MaxHeaderBytes = 32 * 1024;

    /// <summary>Kestrel's own limits: above ours, so requests between the two reach this middleware.</summary>
    public static void ConfigureKestrel(KestrelServerLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        limits.MaxRequestLineSize = 4 * MaxTargetBytes;
        limits.MaxRequestHeadersTotalSize = 4 * MaxHeaderBytes;
    }

    public Task InvokeAsync(HttpContext context)
    {
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget is { Length: > 0 } raw ? raw : context.Request.Path.Value + context.Request.QueryString.Value;
        if (target.Length > MaxTargetBytes)
        {
            return WriteAsync(context, StatusCodes.Status414UriTooLong, "The request URI is too long.", $"The path and query may have at most {MaxTargetBytes} characters.");
        }

        long headerBytes = 0;
        foreach (var (name, values) in context.Request.Headers)
        {
            foreach (var value in values)
            {
                headerBytes += name.Length + (value?.Length ?? 0) + 4;
            }
        }

        return headerBytes > MaxHeaderBytes
            ? WriteAsync(context, StatusCodes.Status431RequestHeaderFieldsTooLarge, "The request headers are too large.", $"The request's headers may total at most {MaxHeaderBytes} bytes.")
            : next(context);
    }

    private static Task WriteAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        return context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = status, Title = title, Detail = detail },
        }).AsTask();
    }
}

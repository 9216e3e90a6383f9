using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;

namespace SupplyChainWatch.Api.Hosting;

/// <summary>
/// Request body limits with a 413 problem-details answer, the same under Kestrel and in-process test hosts:
/// <c>Api:MaxRequestBodyBytes</c> for every endpoint, a larger limit only where an endpoint declares one
/// (<c>.WithMetadata(new RequestSizeLimitAttribute(bytes))</c> on bulk endpoints). Bodies are read up to the limit
/// before the endpoint sees them, so a chunked body without Content-Length is cut off too (except on bulk endpoints,
/// which stream and are cut off by the server's per-request limit).
/// </summary>
public sealed class RequestBodyLimitMiddleware(RequestDelegate next, IConfiguration configuration)
{
    public const string MaxBodyKey = "Api:MaxRequestBodyBytes";
    public const long DefaultMaxBodyBytes = 1_048_576;

    private readonly long _defaultLimit = configuration.GetValue(MaxBodyKey, DefaultMaxBodyBytes);

    public async Task InvokeAsync(HttpContext context)
    {
        var declared = context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize;
        var limit = declared ?? _defaultLimit;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } serverLimit)
        {
            serverLimit.MaxRequestBodySize = limit;
        }

        if (context.Request.ContentLength > limit)
        {
            await TooLargeAsync(context, limit);
            return;
        }

        // Bulk endpoints (those declaring their own limit) stream their bodies: buffering would hold a whole import in
        // memory and keep the handler from starting; the server's per-request limit set above cuts them off instead.
        if (declared is null && context.Request.ContentLength is null && (HttpMethods.IsPost(context.Request.Method) || HttpMethods.IsPut(context.Request.Method) || HttpMethods.IsPatch(context.Request.Method)))
        {
            var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    await TooLargeAsync(context, limit);
                    return;
                }

                buffer.Write(chunk, 0, read);
            }

            buffer.Position = 0;
            context.Request.Body = buffer;
            context.Response.RegisterForDisposeAsync(buffer);
        }

        await next(context);
    }

    private static async Task TooLargeAsync(HttpContext context, long limit)
    {
        context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new Microsoft.AspNetCore.Mvc.ProblemDetails
            {
                Status = StatusCodes.Status413PayloadTooLarge,
                Title = "The request body is too large.",
                Detail = $"This endpoint accepts at most {limit} bytes.",
            },
        });
    }
}

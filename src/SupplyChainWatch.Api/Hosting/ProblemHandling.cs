using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Json;

namespace SupplyChainWatch.Api.Hosting;

/// <summary>
/// Turns request-reading failures (malformed JSON, wrong types, unknown fields, oversized bodies) into
/// RFC 9457 problem details naming the field, and anything unexpected into a 500 that reveals nothing.
/// </summary>
public sealed class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        int status;
        string title;
        string? detail = null;
        IDictionary<string, string[]>? errors = null;
        switch (exception)
        {
            case BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }:
                status = StatusCodes.Status413PayloadTooLarge;
                title = "The request body is too large.";
                break;
            case BadHttpRequestException { StatusCode: StatusCodes.Status415UnsupportedMediaType }:
                status = StatusCodes.Status415UnsupportedMediaType;
                title = "Unsupported media type.";
                detail = ProblemDefaults.UnsupportedMediaTypeDetail(httpContext);
                break;
            case BadHttpRequestException bad:
                status = bad.StatusCode;
                title = "The request could not be read.";
                errors = ReadErrors(bad);
                break;
            case Orleans.Runtime.OrleansMessageRejectionException or Orleans.Runtime.Messaging.ConnectionFailedException or TimeoutException:
                // A silo died or the cluster is re-balancing: nothing was acknowledged, and resubmitting with the same
                // idempotency key is safe, so say so instead of answering a bare 500.
                logger.LogWarning("Transient {ExceptionType} on {Method} {Path}", exception.GetType().Name, httpContext.Request.Method, httpContext.Request.Path);
                status = StatusCodes.Status503ServiceUnavailable;
                title = "The service is recovering from a cluster change; retry the same request.";
                httpContext.Response.Headers.RetryAfter = "1";
                break;
            default:
                // Never echo the exception: messages may quote request content.
                logger.LogError("Unhandled {ExceptionType} on {Method} {Path}", exception.GetType().Name, httpContext.Request.Method, httpContext.Request.Path);
                status = StatusCodes.Status500InternalServerError;
                title = "An unexpected error occurred.";
                break;
        }

        httpContext.Response.StatusCode = status;
        var details = new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = status, Title = title, Detail = detail };
        if (errors is not null)
        {
            details.Extensions["errors"] = errors;
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = details, Exception = exception });
    }

    private static Dictionary<string, string[]> ReadErrors(BadHttpRequestException bad)
    {
        var inner = bad.InnerException;
        if (inner is JsonException json)
        {
            return JsonErrors(json);
        }

        return new() { ["body"] = [bad.Message.Contains("parameter", StringComparison.Ordinal) ? "is malformed or has a value of the wrong type" : "could not be read"] };
    }

    /// <summary>A JSON reading failure as a field error, shared with the bulk import that reads line by line.</summary>
    public static Dictionary<string, string[]> JsonErrors(JsonException json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var field = string.IsNullOrEmpty(json.Path) || json.Path == "$" ? "body" : json.Path.TrimStart('$', '.');
        return new() { [field] = [DescribeJsonError(json)] };
    }

    private static string DescribeJsonError(JsonException json)
    {
        // The runtime's messages can quote the offending value; keep ours generic but specific about the cause.
        var message = json.Message;
        if (message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal))
        {
            return "is not a known field (names are case-sensitive)";
        }

        if (message.StartsWith("Duplicate propert", StringComparison.Ordinal))
        {
            return Features.Shared.StrictJson.Repeated;
        }

        if (message.StartsWith(BoundedStringConverter.TooLongMessage, StringComparison.Ordinal))
        {
            return $"is longer than {BoundedStringConverter.MaxLength} characters";
        }

        if (message.Contains("maximum configured depth", StringComparison.Ordinal))
        {
            return "is nested too deeply";
        }

        if (message.Contains("could not be converted", StringComparison.Ordinal))
        {
            return "has a value of the wrong type or format";
        }

        return "is not valid JSON";
    }
}

/// <summary>What every problem answer gets, whoever wrote it (the framework's own 415 or 404 included).</summary>
public static class ProblemDefaults
{
    /// <summary>Minimal APIs answer a body of the wrong media type with a bare 415; the answer names what the endpoint takes.</summary>
    public static void Customize(ProblemDetailsContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.ProblemDetails.Status == StatusCodes.Status415UnsupportedMediaType && context.ProblemDetails.Detail is null)
        {
            context.ProblemDetails.Detail = UnsupportedMediaTypeDetail(context.HttpContext);
        }
    }

    public static string UnsupportedMediaTypeDetail(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>() is { ContentTypes.Count: > 0 } accepts
            ? $"This endpoint takes a body of type {string.Join(" or ", accepts.ContentTypes)} (the Content-Type header)."
            : "This endpoint takes a body of type application/json (the Content-Type header)."; // every JSON endpoint; the import names its own
}

public static class JsonSetup
{
    /// <summary>Strict parsing: unknown fields, numbers in strings and deep nesting are errors, not guesses.</summary>
    public static void Configure(JsonOptions options)
    {
        var json = options.SerializerOptions;
        json.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        json.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false));
        json.UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow;
        json.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict;
        json.MaxDepth = 32;
        // A repeated property, or one in another case ("AuditId" beside "auditId"), is refused rather than guessed at:
        // two parsers reading one body must never see two different requests.
        json.AllowDuplicateProperties = false;
        json.PropertyNameCaseInsensitive = false;
        json.Converters.Add(new BoundedStringConverter());
    }
}

/// <summary>
/// Caps every JSON string (values and property names of maps) at the longest text any field accepts (a grievance
/// narrative), so an oversized string is refused while it is read instead of after it is materialised as a model.
/// </summary>
public sealed class BoundedStringConverter : System.Text.Json.Serialization.JsonConverter<string>
{
    public const int MaxLength = 20_000;
    public const string TooLongMessage = "String longer than the limit";

    public override bool HandleNull => false;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException("The JSON value could not be converted to System.String.");
        }

        return Check(reader.GetString());
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

    public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => Check(reader.GetString())!;

    public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WritePropertyName(value);

    private static string? Check(string? value) =>
        value is { Length: > MaxLength } ? throw new JsonException($"{TooLongMessage} of {MaxLength} characters.") : value;
}

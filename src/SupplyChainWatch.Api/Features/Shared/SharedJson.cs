using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;

namespace SupplyChainWatch.Api.Features.Shared;

/// <summary>
/// 200 with <typeparamref name="T"/> as JSON, serialised once per instance: a value handed to many requests (a subject
/// grain gives every risk read the same evaluation object until it re-evaluates) is written from the bytes of its first
/// serialisation. The bytes are exactly what <see cref="Microsoft.AspNetCore.Http.HttpResults.Ok{TValue}"/> writes with
/// the API's JSON options; they live as long as the instance (weak table), so nothing is kept for values no longer used.
/// </summary>
public sealed class SharedJson<T> : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<T>, IContentTypeHttpResult
    where T : class
{
    private const string JsonContentType = "application/json; charset=utf-8";
    private static readonly ConditionalWeakTable<T, Serialized> Cache = [];

    public SharedJson(T value) => Value = value;

    public T Value { get; }

    object? IValueHttpResult.Value => Value;

    public int? StatusCode => StatusCodes.Status200OK;

    public string ContentType => JsonContentType;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var options = httpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        // Keyed by options too, in case two hosts in one process (tests) configure JSON differently.
        if (!Cache.TryGetValue(Value, out var serialized) || !ReferenceEquals(serialized.Options, options))
        {
            serialized = new Serialized(options, JsonSerializer.SerializeToUtf8Bytes(Value, options));
            Cache.AddOrUpdate(Value, serialized);
        }

        httpContext.Response.StatusCode = StatusCodes.Status200OK;
        httpContext.Response.ContentType = JsonContentType;
        httpContext.Response.ContentLength = serialized.Bytes.Length;
        await httpContext.Response.Body.WriteAsync(serialized.Bytes, httpContext.RequestAborted);
    }

    /// <summary>Describes the answer as Ok&lt;T&gt; does, so OpenAPI shows the same response.</summary>
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(T), ["application/json"]));
    }

    private sealed record Serialized(JsonSerializerOptions Options, byte[] Bytes);
}

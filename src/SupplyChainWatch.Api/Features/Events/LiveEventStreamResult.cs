using System.Buffers;
using System.Net.ServerSentEvents;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;
using SupplyChainWatch.Grains.Live;

namespace SupplyChainWatch.Api.Features.Events;

/// <summary>
/// Writes <c>text/event-stream</c> (the Server-Sent Events format: <c>event:</c>, <c>data:</c> and <c>id:</c> lines, a blank
/// line after each event) for the live event stream, the way one silo can serve a thousand clients. Unlike
/// <c>TypedResults.ServerSentEvents</c>, which serialises each event for each client and flushes the connection after every
/// one, the JSON of an event is built once for all clients (<see cref="Utf8Of"/>), and a client's pending events go out in
/// one write: after a wake-up it gathers for <see cref="Coalescing"/> and flushes once. Measured (bench/run.sh --scenario
/// sse, 1,000 clients on 2 cores): per-event-per-client CPU was what saturated the machine.
/// </summary>
public sealed class LiveEventStreamResult(Func<LiveEventStreamResult.Frames, CancellationToken, Task> produce) : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult
{
    /// <summary>How long a woken client gathers further events before its one write (latency traded for fewer writes).</summary>
    public static readonly TimeSpan Coalescing = TimeSpan.FromMilliseconds(25);

    private static readonly ConditionalWeakTable<LiveEvent, byte[]> Encoded = [];

    public int? StatusCode => StatusCodes.Status200OK;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache,no-store";
        response.Headers.Pragma = "no-cache";
        response.Headers.ContentEncoding = "identity";
        // Proxies and ASP.NET Core's own buffering would hold events back.
        httpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseBodyFeature>()?.DisableBuffering();
        var options = httpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        try
        {
            await produce(new Frames(response.BodyWriter, options), httpContext.RequestAborted);
        }
        catch (OperationCanceledException) when (httpContext.RequestAborted.IsCancellationRequested)
        {
            // The client went away.
        }
    }

    /// <summary>The same metadata as <c>ServerSentEventsResult&lt;LiveEventView?&gt;</c>, so the OpenAPI document is unchanged.</summary>
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(SseItem<LiveEventView?>), ["text/event-stream"]));
    }

    /// <summary>The JSON of an event's client view, built once per event however many clients receive it.</summary>
    public static byte[] Utf8Of(LiveEvent liveEvent, JsonSerializerOptions options) =>
        Encoded.GetValue(liveEvent, e => JsonSerializer.SerializeToUtf8Bytes<LiveEventView?>(LiveEventView.Of(e), options));

    /// <summary>Formats events into the response without flushing; <see cref="FlushAsync"/> sends what was written.</summary>
    public sealed class Frames(System.IO.Pipelines.PipeWriter writer, JsonSerializerOptions options)
    {
        private static readonly byte[] Null = "null"u8.ToArray();

        public void Write(LiveEvent liveEvent) => Write(liveEvent.Type, Utf8Of(liveEvent, options), LiveEvent.IdOf(liveEvent.Seq));

        /// <summary>An event without data (heartbeat, resync): <c>data: null</c>, as the stream has always sent them.</summary>
        public void WriteSignal(string type) => Write(type, Null, null);

        public ValueTask<System.IO.Pipelines.FlushResult> FlushAsync(CancellationToken cancellationToken) => writer.FlushAsync(cancellationToken);

        private void Write(string type, byte[] json, string? id)
        {
            // Event types and ids are ours (no line breaks); the JSON is one line (no indentation).
            Line("event: "u8, type);
            writer.Write("data: "u8);
            writer.Write(json);
            writer.Write("\n"u8);
            if (id is not null)
            {
                Line("id: "u8, id);
            }

            writer.Write("\n"u8);
        }

        private void Line(ReadOnlySpan<byte> field, string value)
        {
            writer.Write(field);
            var span = writer.GetSpan(Encoding.UTF8.GetMaxByteCount(value.Length));
            writer.Advance(Encoding.UTF8.GetBytes(value, span));
            writer.Write("\n"u8);
        }
    }
}

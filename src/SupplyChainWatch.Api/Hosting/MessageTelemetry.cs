using System.Diagnostics;
using System.Diagnostics.Metrics;
using Mediator;

namespace SupplyChainWatch.Api.Hosting;

/// <summary>The API's own activity source and meter (registered with OpenTelemetry in <see cref="TelemetrySetup"/>).</summary>
public static class ApiTelemetry
{
    public const string ActivitySourceName = "SupplyChainWatch.Api";

    public const string MeterName = "SupplyChainWatch.Api";

    /// <summary>Tag names on the message span, its duration and its log line.</summary>
    public const string MessageTag = "scw.message";

    public const string OutcomeTag = "scw.outcome";

    internal static readonly ActivitySource Source = new(ActivitySourceName);

    private static readonly Meter Meter = new(MeterName);

    internal static readonly Histogram<double> MessageDuration = Meter.CreateHistogram<double>("scw.mediator.message.duration", "ms", "Time a mediator message takes, by message and outcome.");

    private static readonly UpDownCounter<long> EventStreamClients = Meter.CreateUpDownCounter<long>("scw.events.clients", "{client}",
        "Clients connected to GET /api/v1/events (Server-Sent Events) on this process.");

    /// <summary>Counts one event stream client until the returned value is disposed (when its stream ends, for whatever reason).</summary>
    internal static IDisposable EventStreamClientConnected()
    {
        EventStreamClients.Add(1);
        return new Disconnect();
    }

    private sealed class Disconnect : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                EventStreamClients.Add(-1);
            }
        }
    }
}

/// <summary>
/// Gauges of this host's state, read when metrics are collected: the subjects with quarantined evidence (the list of
/// <c>GET /api/v1/admin/quarantine</c>). Made with the host's <see cref="IMeterFactory"/>, under the API's meter name, because
/// what they read is a singleton of this host, not of the process.
/// </summary>
public sealed class HostGauges : IDisposable
{
    private readonly Meter _meter;

    public HostGauges(IMeterFactory meters, SupplyChainWatch.Grains.Subjects.QuarantineRegistry quarantine)
    {
        ArgumentNullException.ThrowIfNull(meters);
        ArgumentNullException.ThrowIfNull(quarantine);
        _meter = meters.Create(ApiTelemetry.MeterName);
        _meter.CreateObservableGauge("scw.subjects.quarantined", () => quarantine.List().Count, "{subject}",
            "Subjects on this silo whose last evaluation left quarantined evidence out of the score (GET /api/v1/admin/quarantine).");
    }

    public void Dispose() => _meter.Dispose();
}

/// <summary>What a handler's answer says about how the message went, for telemetry (never what it carried).</summary>
public interface IMessageOutcome
{
    /// <summary>A fixed word, e.g. <c>ok</c>, <c>invalid</c>, <c>not-found</c>.</summary>
    string Outcome { get; }
}

/// <summary>
/// One span (named after the message type), one duration measurement and one structured log line per mediator message,
/// tagged with the message type and its outcome only: messages carry grievance narratives and contacts, so neither the
/// message nor an exception message (which may quote it) is ever recorded.
/// </summary>
public sealed class MessageTelemetry<TMessage, TResponse>(ILogger<MessageTelemetry<TMessage, TResponse>> logger) : IPipelineBehavior<TMessage, TResponse>
    where TMessage : IMessage
{
    private static readonly string MessageName = typeof(TMessage).Name;

    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(next);
        using var activity = ApiTelemetry.Source.StartActivity(MessageName, ActivityKind.Internal);
        activity?.SetTag(ApiTelemetry.MessageTag, MessageName);
        var start = Stopwatch.GetTimestamp();
        var outcome = "error";
        try
        {
            var response = await next(message, cancellationToken);
            outcome = response is IMessageOutcome result ? result.Outcome : "ok";
            return response;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            outcome = "cancelled";
            throw;
        }
        finally
        {
            var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            activity?.SetTag(ApiTelemetry.OutcomeTag, outcome);
            if (outcome == "error")
            {
                activity?.SetStatus(ActivityStatusCode.Error);
            }

            ApiTelemetry.MessageDuration.Record(elapsed, new(ApiTelemetry.MessageTag, MessageName), new(ApiTelemetry.OutcomeTag, outcome));
            if (outcome == "error")
            {
                MessageTelemetryLog.Failed(logger, MessageName, elapsed);
            }
            else
            {
                MessageTelemetryLog.Handled(logger, MessageName, outcome, elapsed);
            }
        }
    }
}

internal static partial class MessageTelemetryLog
{
    // Debug, not Information: every ingest and every risk read is a message, and a console line for each would cost the
    // hot paths more than the work; the span and the histogram carry the same facts. Failures are warnings.
    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Message {MessageName} handled: {Outcome} in {ElapsedMs} ms")]
    public static partial void Handled(ILogger logger, string messageName, string outcome, double elapsedMs);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Message {MessageName} failed after {ElapsedMs} ms")]
    public static partial void Failed(ILogger logger, string messageName, double elapsedMs);
}

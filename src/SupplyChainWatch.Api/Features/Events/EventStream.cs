using Microsoft.AspNetCore.Http.HttpResults;
using SupplyChainWatch.Api.Features.Escalations;
using SupplyChainWatch.Api.Features.Risk;
using SupplyChainWatch.Api.Features.Shared;
using SupplyChainWatch.Api.Hosting;
using SupplyChainWatch.Domain;
using SupplyChainWatch.Grains.Live;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Api.Features.Events;

/// <summary>A live event as a stream client receives it: identifiers, scores, bands and codes only.</summary>
/// <param name="Type">risk.changed or an escalation type.</param>
/// <param name="SubjectId">Subject key (<c>sup:…</c> or <c>rec:…</c>).</param>
/// <param name="Score">risk.changed: the new score.</param>
/// <param name="Band">risk.changed: the new band.</param>
/// <param name="ForcedLabour">risk.changed: the new forced-labour classification.</param>
/// <param name="SignalId">risk.changed: the signal whose row moved it; absent when time did (decay, deadlines) or a counterpart did.</param>
/// <param name="EventId">Escalations: the escalation's id, as GET /api/v1/escalations lists it.</param>
/// <param name="At">When it happened.</param>
public sealed record LiveEventView(string Type, string SubjectId, int? Score, RiskBand? Band, ForcedLabourClassification? ForcedLabour, string? SignalId, string? EventId, DateTimeOffset At)
{
    public static LiveEventView Of(LiveEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new(e.Type, e.SubjectId, e.Score, e.Band, e.ForcedLabour, e.SignalId, e.EventId, e.At);
    }
}

/// <summary>What a client asked to see, validated once at the edge. Empty sets mean "all".</summary>
public sealed record LiveEventFilter(IReadOnlySet<string> SubjectIds, IReadOnlySet<string> Countries, IReadOnlySet<string> Sectors, RiskBand? MinBand, IReadOnlySet<string> Types)
{
    /// <summary>Subject ids and types filter every event; countries, sectors and minBand filter risk changes (escalations carry neither).</summary>
    public bool Matches(LiveEvent e)
    {
        if ((SubjectIds.Count > 0 && !SubjectIds.Contains(e.SubjectId)) || (Types.Count > 0 && !Types.Contains(e.Type)))
        {
            return false;
        }

        return e.Type != LiveEvent.RiskChanged
            || ((Countries.Count == 0 || (e.Country is { } country && Countries.Contains(country)))
                && (Sectors.Count == 0 || (e.Sector is { } sector && Sectors.Contains(sector)))
                && (MinBand is not { } min || (e.Band is { } band && band >= min)));
    }
}

public static class EventEndpoints
{
    /// <summary>
    /// Events a reconnecting client may have missed that are replayed from the live event store (which keeps a day of
    /// them); beyond that it is sent a resync event and reads the current state over REST.
    /// </summary>
    public const int ResumeHorizon = 1000;

    /// <summary>Sent (no data) when a resuming client missed more than the horizon: reload over REST, then follow the stream.</summary>
    public const string ResyncEvent = "resync";

    /// <summary>Configuration key of the heartbeat period (a TimeSpan; 15 s unless set), so that proxies keep idle streams open.</summary>
    public const string HeartbeatSetting = "Events:Heartbeat";

    public static readonly TimeSpan DefaultHeartbeat = TimeSpan.FromSeconds(15);

    private static readonly string[] KnownTypes = [LiveEvent.RiskChanged, .. ListEscalationsHandler.Types];

    /// <summary>Maps the live-monitoring endpoints: the event stream and the score histories.</summary>
    public static IEndpointRouteBuilder MapLiveEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapRiskHistoryEndpoints();
        app.MapGet("/api/v1/events", Subscribe)
            .WithTags("Events")
            .WithName("StreamEvents")
            .RequireAuthorization(p => p.RequireRole(Roles.Compliance, Roles.Admin))
            .WithSummary("Live stream of risk changes and escalations (Server-Sent Events)")
            .WithDescription("text/event-stream. Events: risk.changed (subject, score, band, forced-labour classification, the signal that moved it) and the escalation types of GET /api/v1/escalations (type, subject, escalation id). " +
                "Filters, each a comma-separated list: subjectIds (sup:…/rec:…), types, countries, sectors, and minBand; subjectIds and types filter every event, countries, sectors and minBand filter risk.changed. " +
                "A heartbeat event every 15 s. Every event carries an id, its durable position: reconnect with Last-Event-ID to receive the events missed since (up to 1,000, " +
                "of the last 24 hours; a client that missed more first gets a resync event, no data: reload over REST). " +
                "A client that falls 1,024 events behind is disconnected. 400 names a bad filter or Last-Event-ID.");
        return app;
    }

    private static Results<LiveEventStreamResult, ValidationProblem> Subscribe(
        string? subjectIds, string? types, string? countries, string? sectors, string? minBand, HttpRequest request, LiveEventHub hub, SqlLiveEventStore store, IConfiguration configuration)
    {
        var validation = new Validation();
        var subjects = Split(subjectIds);
        foreach (var subject in subjects)
        {
            validation.SubjectKey("subjectIds", subject);
        }

        var typeSet = Split(types);
        foreach (var type in typeSet.Where(t => !KnownTypes.Contains(t)))
        {
            validation.Add("types", $"'{type}' is not one of: {string.Join(", ", KnownTypes)}");
        }

        var countrySet = Split(countries);
        foreach (var country in countrySet)
        {
            validation.Country("countries", country, required: true);
        }

        var sectorSet = Split(sectors);
        foreach (var sector in sectorSet)
        {
            validation.Enum<Sector>("sectors", sector, required: true);
        }

        var band = validation.Enum<RiskBand>("minBand", minBand, required: false);
        long? resumeAfter = null;
        if (request.Headers["Last-Event-ID"].ToString() is { Length: > 0 } lastEventId)
        {
            if (LiveEvent.TryParseId(lastEventId, out var seq))
            {
                resumeAfter = seq;
            }
            else
            {
                validation.Add("Last-Event-ID", "must be an id this stream sent (a positive number)");
            }
        }

        if (!validation.IsValid)
        {
            return HttpResults.Invalid(validation.Errors);
        }

        var filter = new LiveEventFilter(subjects, countrySet, sectorSet, band, typeSet);
        var heartbeat = configuration.GetValue(HeartbeatSetting, DefaultHeartbeat);
        return new LiveEventStreamResult((frames, cancellationToken) => StreamAsync(frames, hub, store, filter, resumeAfter, heartbeat, cancellationToken));
    }

    private static HashSet<string> Split(string? list) =>
        list is null ? [] : new HashSet<string>(list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), StringComparer.Ordinal);

    private static async Task StreamAsync(
        LiveEventStreamResult.Frames frames, LiveEventHub hub, SqlLiveEventStore store, LiveEventFilter filter, long? resumeAfter, TimeSpan heartbeatPeriod,
        CancellationToken cancellationToken)
    {
        // Subscribed before the replay, so nothing falls between them; live events the replay already sent are skipped.
        using var subscription = hub.Subscribe();
        using var connected = ApiTelemetry.EventStreamClientConnected();
        // The headers go out now, not with the first event: a client knows it is subscribed (and the hub has it) at once.
        await frames.FlushAsync(cancellationToken);
        var replayedTo = 0L;
        if (resumeAfter is { } after)
        {
            var (items, pruned) = await store.ReadAfterAsync(after, ResumeHorizon + 1, cancellationToken);
            if (pruned || items.Count > ResumeHorizon)
            {
                // Too much missed to replay: the client reloads over REST and follows the stream from here.
                frames.WriteSignal(ResyncEvent);
            }
            else
            {
                foreach (var (seq, record) in items)
                {
                    var replay = LiveEvent.FromRecord(seq, record);
                    if (filter.Matches(replay))
                    {
                        frames.Write(replay);
                    }
                }

                // Live events up to here were in the store when it was read: sent above (or filtered out) already.
                replayedTo = items.Count > 0 ? items[^1].Seq : after;
            }

            await frames.FlushAsync(cancellationToken);
        }

        var reader = subscription.Reader;
        while (!cancellationToken.IsCancellationRequested)
        {
            bool more;
            var heartbeat = false;
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                wait.CancelAfter(heartbeatPeriod);
                try
                {
                    more = await reader.WaitToReadAsync(wait.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    more = true;
                    heartbeat = true;
                }
                catch (SlowClientException)
                {
                    more = false;
                }
            }

            if (!more)
            {
                return;
            }

            if (heartbeat)
            {
                frames.WriteSignal("heartbeat");
                await frames.FlushAsync(cancellationToken);
                continue;
            }

            // Woken by an event: let a few more gather, then send them in one write.
            await Task.Delay(LiveEventStreamResult.Coalescing, cancellationToken);
            while (reader.TryRead(out var liveEvent))
            {
                if (liveEvent.Seq > replayedTo && filter.Matches(liveEvent))
                {
                    frames.Write(liveEvent);
                }
            }

            await frames.FlushAsync(cancellationToken);
        }
    }
}

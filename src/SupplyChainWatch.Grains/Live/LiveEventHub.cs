using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using SupplyChainWatch.Domain;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Grains.Live;

/// <summary>
/// One event of the live stream. Identifiers, scores, bands and codes only. <see cref="Id"/> is set for escalation
/// events (their position in the escalation store, so a reconnecting client resumes after it); risk changes carry none.
/// </summary>
public sealed record LiveEvent(
    string? Id,
    string Type,
    string SubjectId,
    string? Country,
    string? Sector,
    int? Score,
    RiskBand? Band,
    ForcedLabourClassification? ForcedLabour,
    string? SignalId,
    string? EventId,
    DateTimeOffset At)
{
    public const string RiskChanged = "risk.changed";

    /// <summary>The stream id of an escalation at store position <paramref name="seq"/>.</summary>
    public static string EscalationId(long seq) => "e-" + seq.ToString(CultureInfo.InvariantCulture);

    public static bool TryParseEscalationId(string id, out long seq)
    {
        seq = 0;
        return id.StartsWith("e-", StringComparison.Ordinal) && long.TryParse(id.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out seq);
    }

    public static LiveEvent Escalation(long seq, StoredEscalation stored) =>
        new(EscalationId(seq), stored.Type, stored.SubjectId, null, null, null, null, null, null, stored.EventId, stored.CreatedAt);
}

/// <summary>
/// The fan-out of live events to the stream clients connected to this silo. Risk changes are published by the subject
/// grains on this silo (a change on another silo does not reach them: see the README). Escalations are read from the
/// shared escalation store by one tail per silo (from the first client on, until the host stops), so they reach clients on every silo, in store
/// order. Each client has a bounded channel; a client whose channel is full is dropped, so publishing never waits.
/// </summary>
public sealed class LiveEventHub(SqlEscalationStore escalations, ILogger<LiveEventHub> logger) : IDisposable
{
    /// <summary>Events a client may fall behind by before it is dropped.</summary>
    public const int ClientCapacity = 1024;

    private static readonly TimeSpan TailPeriod = TimeSpan.FromMilliseconds(250);

    private readonly ConcurrentDictionary<Channel<LiveEvent>, byte> _clients = new();
    private readonly Lock _tailLock = new();
    private readonly CancellationTokenSource _stopping = new();
    private Task? _tail;

    public int ClientCount => _clients.Count;

    /// <summary>A new client's channel; dispose the subscription when the client goes.</summary>
    public Subscription Subscribe()
    {
        var channel = Channel.CreateBounded<LiveEvent>(new BoundedChannelOptions(ClientCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _clients[channel] = 0;
        lock (_tailLock)
        {
            _tail ??= Task.Run(TailAsync);
        }

        return new Subscription(this, channel);
    }

    /// <summary>Hands an event to every client without waiting: a full client is completed with an error and removed.</summary>
    public void Publish(LiveEvent liveEvent)
    {
        foreach (var channel in _clients.Keys)
        {
            if (!channel.Writer.TryWrite(liveEvent))
            {
                channel.Writer.TryComplete(new SlowClientException());
                _clients.TryRemove(channel, out _);
            }
        }
    }

    private async Task TailAsync()
    {
        // Starts at the store's end: a client that wants older events names its last id and reads them itself.
        var after = -1L;
        using var timer = new PeriodicTimer(TailPeriod);
        do
        {
            try
            {
                var (items, last) = await escalations.ReadAfterAsync(after, SqlEscalationStore.MaxLimit, _stopping.Token);
                foreach (var (seq, stored) in items)
                {
                    Publish(LiveEvent.Escalation(seq, stored));
                }

                after = last;
            }
            catch (Exception exception) when (!_stopping.IsCancellationRequested)
            {
                logger.LogWarning(exception, "Reading escalations for the live stream failed; retrying");
            }
        }
        while (await timer.WaitForNextTickAsync(_stopping.Token).AsTask().ContinueWith(static t => t.IsCompletedSuccessfully && t.Result, TaskScheduler.Default));
    }

    public void Dispose()
    {
        _stopping.Cancel();
        foreach (var channel in _clients.Keys)
        {
            channel.Writer.TryComplete();
        }
    }

    public sealed class Subscription(LiveEventHub hub, Channel<LiveEvent> channel) : IDisposable
    {
        public ChannelReader<LiveEvent> Reader => channel.Reader;

        public void Dispose()
        {
            hub._clients.TryRemove(channel, out _);
            channel.Writer.TryComplete();
        }
    }
}

/// <summary>The client did not read its events fast enough and was dropped.</summary>
public sealed class SlowClientException() : Exception("The client fell too far behind the live stream and was dropped.");

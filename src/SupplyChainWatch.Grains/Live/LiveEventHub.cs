using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Orleans.Streams;
using SupplyChainWatch.Contracts;
using SupplyChainWatch.Domain;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Grains.Live;

/// <summary>
/// One event of the live stream. Identifiers, scores, bands and codes only. <see cref="Seq"/> is its durable position in
/// the live event store (the SSE id a reconnecting client resumes after).
/// </summary>
[GenerateSerializer, Immutable, Alias("LiveEvent")]
public sealed record LiveEvent(
    [property: Id(0)] long Seq,
    [property: Id(1)] string Type,
    [property: Id(2)] string SubjectId,
    [property: Id(3)] string? Country,
    [property: Id(4)] string? Sector,
    [property: Id(5)] int? Score,
    [property: Id(6)] RiskBand? Band,
    [property: Id(7)] ForcedLabourClassification? ForcedLabour,
    [property: Id(8)] string? SignalId,
    [property: Id(9)] string? EventId,
    [property: Id(10)] DateTimeOffset At)
{
    public const string RiskChanged = "risk.changed";

    /// <summary>The SSE id of the event at <paramref name="seq"/>.</summary>
    public static string IdOf(long seq) => seq.ToString(CultureInfo.InvariantCulture);

    public static bool TryParseId(string id, out long seq) =>
        long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out seq) && seq > 0;

    /// <summary>The event as stored (its position is assigned by the store).</summary>
    public LiveEventRecord ToRecord() => new(Type, SubjectId, At, JsonSerializer.Serialize(this with { Seq = 0 }, EvidenceJson.Options));

    public static LiveEvent FromRecord(long seq, LiveEventRecord record) =>
        JsonSerializer.Deserialize<LiveEvent>(record.PayloadJson, EvidenceJson.Options)! with { Seq = seq };
}

/// <summary>Live events stored together, published as one stream item (one delivery per silo instead of one per event).</summary>
[GenerateSerializer, Immutable, Alias("LiveEventBatch")]
public sealed record LiveEventBatch([property: Id(0)] IReadOnlyList<LiveEvent> Events);

/// <summary>
/// Where live events travel between silos: one Orleans stream on the memory stream provider, carrying batches. Every
/// silo's <see cref="LiveEventHub"/> subscribes to it, so an event published on any silo reaches the SSE clients of all.
/// </summary>
public static class LiveStreams
{
    public const string Provider = "live";

    private const string Namespace = "live-events";

    public static StreamId Events { get; } = StreamId.Create(Namespace, "batches");
}

/// <summary>
/// Publishes stored live events on the cluster's live stream from one loop per silo: whatever queued up while the last
/// batch was being delivered goes out as the next batch. A stream delivers its items one at a time and waits for each
/// subscriber, so an item per event capped the whole cluster's live events at the round trips a busy silo can make (the
/// 1,000-client benchmark saw seconds of backlog); batches keep up at any rate. Events of one subject keep their order.
/// </summary>
public sealed class LiveEventPublisher(IClusterClient cluster, ILogger<LiveEventPublisher> logger)
{
    private const int MaxBatch = 2048;

    private readonly Channel<LiveEvent> _queue = Channel.CreateUnbounded<LiveEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _lock = new();
    private Task? _loop;

    /// <summary>Queues events whose positions are durable; never waits.</summary>
    public void Publish(IReadOnlyList<LiveEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        foreach (var liveEvent in events)
        {
            _queue.Writer.TryWrite(liveEvent);
        }

        if (_loop is null)
        {
            lock (_lock)
            {
                _loop ??= Task.Run(RunAsync);
            }
        }
    }

    private async Task RunAsync()
    {
        var stream = cluster.GetStreamProvider(LiveStreams.Provider).GetStream<LiveEventBatch>(LiveStreams.Events);
        var batch = new List<LiveEvent>();
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var liveEvent))
            {
                batch.Add(liveEvent);
            }

            try
            {
                await stream.OnNextAsync(new LiveEventBatch([.. batch])).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Logged; the events stay in the store for reconnecting clients.
            catch (Exception exception)
            {
                logger.LogWarning(exception, "Publishing {Count} live events failed; reconnecting clients read them from the store", batch.Count);
            }
#pragma warning restore CA1031

            batch.Clear();
        }
    }
}

/// <summary>
/// The fan-out of live events to the stream clients connected to this silo. From silo start until it stops it is
/// subscribed to the cluster's <see cref="LiveStreams"/>, whatever silo the publishing grain runs on. Each client has a
/// bounded channel; a client whose channel is full is dropped, so delivery never waits for a client.
/// </summary>
public sealed class LiveEventHub(IClusterClient cluster, ILogger<LiveEventHub> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>Events a client may fall behind by before it is dropped.</summary>
    public const int ClientCapacity = 1024;

    private readonly ConcurrentDictionary<Channel<LiveEvent>, byte> _clients = new();
    private readonly List<StreamSubscriptionHandle<LiveEventBatch>> _subscriptions = [];

    public int ClientCount => _clients.Count;

    /// <summary>Clients dropped for falling behind, since start.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    private long _dropped;

    /// <summary>A new client's channel; dispose the subscription when the client goes.</summary>
    public Subscription Subscribe()
    {
        var channel = Channel.CreateBounded<LiveEvent>(new BoundedChannelOptions(ClientCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _clients[channel] = 0;
        return new Subscription(this, channel);
    }

    /// <summary>Hands an event to every client of this silo without waiting: a full client is completed with an error and removed.</summary>
    public void Publish(LiveEvent liveEvent)
    {
        // Enumerated in place: Keys would copy every client (under all the dictionary's locks) once per event.
        foreach (var (channel, _) in _clients)
        {
            if (!channel.Writer.TryWrite(liveEvent))
            {
                channel.Writer.TryComplete(new SlowClientException());
                if (_clients.TryRemove(channel, out _))
                {
                    Interlocked.Increment(ref _dropped);
                }
            }
        }
    }

    void ILifecycleParticipant<ISiloLifecycle>.Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(LiveEventHub), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        var provider = cluster.GetStreamProvider(LiveStreams.Provider);
        _subscriptions.Add(await provider.GetStream<LiveEventBatch>(LiveStreams.Events).SubscribeAsync((batch, _) =>
        {
            foreach (var liveEvent in batch.Events)
            {
                Publish(liveEvent);
            }

            return Task.CompletedTask;
        }));
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var subscription in _subscriptions)
        {
            try
            {
                await subscription.UnsubscribeAsync();
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // The cluster may be going down with this silo; its subscriptions go with it.
                logger.LogDebug(exception, "Unsubscribing the live event hub failed");
            }
        }

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

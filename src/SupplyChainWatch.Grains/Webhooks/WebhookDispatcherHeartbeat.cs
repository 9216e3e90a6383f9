using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Grains.Webhooks;

/// <summary>
/// When this silo's <see cref="WebhookDispatcher"/> loop last came round, on the webhook store's clock (the clock its
/// due times are written with), for the readiness entry <c>webhook-dispatcher</c>.
/// </summary>
public sealed class WebhookDispatcherHeartbeat(SqlWebhookStore store)
{
    private long _lastBeatTicks = long.MinValue;
    private volatile bool _running;

    /// <summary>True between the loop's start and its end (false when the dispatcher is disabled on this silo).</summary>
    public bool Running => _running;

    /// <summary>The last turn of the loop; null before the first.</summary>
    public DateTimeOffset? LastBeat
    {
        get
        {
            var ticks = Interlocked.Read(ref _lastBeatTicks);
            return ticks == long.MinValue ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
        }
    }

    public TimeProvider Time => store.Time;

    internal void Started() => _running = true;

    internal void Stopped() => _running = false;

    internal void Beat() => Interlocked.Exchange(ref _lastBeatTicks, store.Time.GetUtcNow().UtcTicks);
}

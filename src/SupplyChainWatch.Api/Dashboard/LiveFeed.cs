using SupplyChainWatch.Grains.Live;

namespace SupplyChainWatch.Api.Dashboard;

/// <summary>
/// A page's subscription to the live hub the SSE endpoint reads from (same events, same process). A page that falls
/// behind is dropped by the hub like any slow stream client; it then subscribes again and is told it missed events
/// (<c>null</c>), so it re-reads what it shows. Only pages admitted for <see cref="DashboardRoles.RiskReaders"/> (the
/// roles of GET /api/v1/events) use it.
/// </summary>
public sealed class LiveFeed : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public LiveFeed(LiveEventHub hub, Func<LiveEvent?, Task> onEvent)
    {
        ArgumentNullException.ThrowIfNull(hub);
        ArgumentNullException.ThrowIfNull(onEvent);
        _loop = Task.Run(() => RunAsync(hub, onEvent, _stop.Token));
    }

    private static async Task RunAsync(LiveEventHub hub, Func<LiveEvent?, Task> onEvent, CancellationToken stop)
    {
        var missed = false;
        while (!stop.IsCancellationRequested)
        {
            using var subscription = hub.Subscribe();
            try
            {
                if (missed)
                {
                    await onEvent(null);
                }

                await foreach (var liveEvent in subscription.Reader.ReadAllAsync(stop))
                {
                    await onEvent(liveEvent);
                }

                return;
            }
            catch (SlowClientException)
            {
                missed = true;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
            // The circuit went away while an event was being shown.
        }

        _stop.Dispose();
    }
}

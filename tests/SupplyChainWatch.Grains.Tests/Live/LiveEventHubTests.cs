using SupplyChainWatch.Domain;
using SupplyChainWatch.Grains.Live;

namespace SupplyChainWatch.Grains.Tests.Live;

public sealed class LiveEventHubTests
{
    private static readonly DateTimeOffset At = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_client_that_stops_reading_is_dropped_at_its_capacity_and_publishing_never_waits_for_it()
    {
        // Fan-out only: the cluster subscription (started by the silo lifecycle) is not part of this.
        var hub = new LiveEventHub(null!, Microsoft.Extensions.Logging.Abstractions.NullLogger<LiveEventHub>.Instance);
        using var slow = hub.Subscribe();
        using var reader = hub.Subscribe();
        var received = 0;

        // Synchronous publishes: each returns at once whatever the clients do, so this loop is the barrier. The other
        // client keeps up (it reads each event as it comes) and is not affected.
        var total = LiveEventHub.ClientCapacity * 3;
        for (var i = 1; i <= total; i++)
        {
            hub.Publish(new LiveEvent(i, LiveEvent.RiskChanged, "sup:s1", "MY", "apparel", 50, RiskBand.Medium, ForcedLabourClassification.None, null, null, At));
            received += reader.Reader.TryRead(out _) ? 1 : 0;
        }

        Assert.Equal(1, hub.Dropped);
        Assert.Equal(1, hub.ClientCount);
        var buffered = 0;
        await Assert.ThrowsAsync<SlowClientException>(async () =>
        {
            await foreach (var _ in slow.Reader.ReadAllAsync())
            {
                buffered++;
            }
        });
        Assert.Equal(LiveEventHub.ClientCapacity, buffered); // What it had buffered, then the reason it was dropped.

        Assert.Equal(total, received);
    }
}

namespace SupplyChainWatch.Grains;

/// <summary>
/// The clock of the risk service: submissions' "now", evidence recording times, evaluation instants.
/// Kept apart from the host's <see cref="TimeProvider"/>, which Orleans itself runs on, so tests can move
/// the service's time (decay, deadlines) without freezing the silo's own timers.
/// </summary>
public sealed class ServiceClock(TimeProvider time)
{
    public TimeProvider Time { get; } = time;

    public DateTimeOffset Now => Time.GetUtcNow();

    public DateOnly Today => DateOnly.FromDateTime(Time.GetUtcNow().UtcDateTime);
}

using System.Net.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
namespace SupplyChainWatch.Grains.Webhooks;

/// <summary>Webhook delivery settings (section <c>Webhooks</c>).</summary>
public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>The Standard Webhooks retry schedule: after the first attempt, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.</summary>
    public static readonly TimeSpan[] SpecRetryDelays =
    [
        TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2),
        TimeSpan.FromHours(5), TimeSpan.FromHours(10), TimeSpan.FromHours(10),
    ];

    /// <summary>Hosts that may be targeted over plain http (every other target must be https).</summary>
    public string[] AllowHttpHosts { get; set; } = [];

    /// <summary>
    /// Hosts, exactly as written in the target URL (an IP literal or a name), that may be or resolve to loopback, private,
    /// link-local or metadata addresses. Allowing the literal 127.0.0.1 does not allow a name that resolves to it.
    /// </summary>
    public string[] AllowPrivateHosts { get; set; } = [];

    /// <summary>Delays before the 2nd, 3rd, … attempt; the attempt after the last delay is the last one. Null: the spec's schedule.</summary>
    public TimeSpan[]? RetryDelays { get; set; }

    /// <summary>Each delay is multiplied by a random factor in [1 - JitterFraction, 1 + JitterFraction].</summary>
    public double JitterFraction { get; set; } = 0.2;

    /// <summary>Longest Retry-After honoured; a receiver asking for more gets this.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromHours(24);

    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a claimed delivery stays with its dispatcher; after that another silo may send it again (same id).</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often each silo looks for due deliveries when nothing wakes it earlier.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Deliveries in flight per silo.</summary>
    public int MaxConcurrency { get; set; } = 32;

    /// <summary>How long a rotated-out secret keeps signing beside the new one.</summary>
    public TimeSpan SecretOverlap { get; set; } = TimeSpan.FromHours(24);

    public bool DispatcherEnabled { get; set; } = true;

    /// <summary>Readiness (<c>webhook-dispatcher</c>): unhealthy once a due delivery has waited longer than this.</summary>
    public TimeSpan MaxDueAge { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Readiness: unhealthy once this silo's dispatcher loop has not come round for this long. A turn takes a poll
    /// interval, or a request timeout while every slot is busy, so a minute of silence means it hangs.
    /// </summary>
    public TimeSpan MaxHeartbeatAge { get; set; } = TimeSpan.FromMinutes(1);

    public IReadOnlyList<TimeSpan> EffectiveRetryDelays => RetryDelays is { Length: > 0 } delays ? delays : SpecRetryDelays;
}

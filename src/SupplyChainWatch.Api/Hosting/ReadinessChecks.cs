using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using SupplyChainWatch.Grains.Subjects;
using SupplyChainWatch.Grains.Webhooks;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Api.Hosting;

/// <summary>
/// The named entries of <c>/health/ready</c>. Each reports what it checked in a short description that names states,
/// counts and durations only (the answer is anonymous): no subject ids, no row content, no exception messages.
/// </summary>
public static class ReadinessChecks
{
    public const string Tag = "ready";
    public const string Silo = "silo";
    public const string Store = "store";
    public const string WebhookDispatcher = "webhook-dispatcher";
    public const string Subjects = "subjects";

    /// <summary>
    /// <c>Health:FailureStatus:{entry}</c>: what a failed entry reports, <c>Unhealthy</c> (503, the default) or
    /// <c>Degraded</c> (200, listed as degraded). For the cluster-wide conditions (<c>webhook-dispatcher</c> reads the one
    /// shared outbox, a failing subject is one bad subject) an operator may prefer the silo to stay in the balancer.
    /// </summary>
    public const string FailureStatusSection = "Health:FailureStatus";

    // Longer than any of them should take; a store that does not answer in time is reported as not answering.
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(5);

    public static IServiceCollection AddSupplyChainWatchReadiness(this IServiceCollection services, IConfiguration configuration)
    {
        HealthStatus FailureStatus(string entry) => configuration.GetValue($"{FailureStatusSection}:{entry}", HealthStatus.Unhealthy);
        services.AddHealthChecks()
            .AddCheck<SiloReadiness>(Silo, FailureStatus(Silo), [Tag], CheckTimeout)
            .AddCheck<StoreReadiness>(Store, FailureStatus(Store), [Tag], CheckTimeout)
            .AddCheck<WebhookDispatcherReadiness>(WebhookDispatcher, FailureStatus(WebhookDispatcher), [Tag], CheckTimeout)
            .AddCheck<SubjectsReadiness>(Subjects, FailureStatus(Subjects), [Tag], CheckTimeout);
        return services;
    }

    internal static string Duration(TimeSpan value) => value.TotalSeconds < 120
        ? value.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " s"
        : value.TotalMinutes.ToString("0.#", CultureInfo.InvariantCulture) + " min";
}

/// <summary><c>silo</c>: this silo is <c>Active</c> in the cluster membership (it joined and is not leaving or declared dead).</summary>
internal sealed class SiloReadiness(ILocalSiloDetails local, IClusterMembershipService membership) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var snapshot = membership.CurrentSnapshot;
        var status = snapshot.GetSiloStatus(local.SiloAddress);
        var active = snapshot.Members.Values.Count(m => m.Status == SiloStatus.Active);
        return Task.FromResult(status == SiloStatus.Active
            ? HealthCheckResult.Healthy($"Active in the cluster membership ({active} active silo(s)).")
            : new HealthCheckResult(context.Registration.FailureStatus, $"This silo is {status} in the cluster membership, not Active."));
    }
}

/// <summary><c>store</c>: the store answers, its schema is the one this build needs, and it passed the start-up integrity check.</summary>
internal sealed class StoreReadiness(StoreIntegrity integrity, SchemaMigrator migrator) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (integrity.AtStart is not { } report)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "The start-up integrity check has not run.");
        }

        int version;
        try
        {
            version = await migrator.GetCurrentVersionAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"The store does not answer ({exception.GetType().Name}).");
        }

        if (version != migrator.LatestVersion)
        {
            return new HealthCheckResult(context.Registration.FailureStatus,
                $"The store is at schema version {version}; this build needs version {migrator.LatestVersion}.");
        }

        return HealthCheckResult.Healthy(
            $"Answers at schema version {version}; integrity check at start passed ({report.Method}, {ReadinessChecks.Duration(report.Took)}).");
    }
}

/// <summary>
/// <c>webhook-dispatcher</c>: no due delivery has waited longer than <c>Webhooks:MaxDueAge</c>, and this silo's dispatcher
/// loop came round within <c>Webhooks:MaxHeartbeatAge</c> (when the dispatcher is enabled here).
/// </summary>
internal sealed class WebhookDispatcherReadiness(SqlWebhookStore store, WebhookDispatcherHeartbeat heartbeat, IOptions<WebhookOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var settings = options.Value;
        var problems = new List<string>();
        var now = store.Time.GetUtcNow();
        if (settings.DispatcherEnabled)
        {
            if (!heartbeat.Running || heartbeat.LastBeat is not { } beat)
            {
                problems.Add("the dispatcher loop of this silo is not running");
            }
            else if (now - beat > settings.MaxHeartbeatAge)
            {
                problems.Add($"the dispatcher loop of this silo has not come round for {ReadinessChecks.Duration(now - beat)} (limit {ReadinessChecks.Duration(settings.MaxHeartbeatAge)})");
            }
        }

        DateTimeOffset? oldest;
        try
        {
            oldest = await store.OldestDueAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            problems.Add($"the outbox cannot be read ({exception.GetType().Name})");
            oldest = null;
        }

        var waited = oldest is { } due ? now - due : TimeSpan.Zero;
        if (waited > settings.MaxDueAge)
        {
            problems.Add($"the oldest due delivery has waited {ReadinessChecks.Duration(waited)} (limit {ReadinessChecks.Duration(settings.MaxDueAge)})");
        }

        if (problems.Count > 0)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, string.Join("; ", problems) + ".");
        }

        var loop = settings.DispatcherEnabled ? "the loop runs" : "the dispatcher is disabled on this silo";
        return HealthCheckResult.Healthy(oldest is null
            ? $"No delivery is due; {loop}."
            : $"The oldest due delivery has waited {ReadinessChecks.Duration(waited)} (limit {ReadinessChecks.Duration(settings.MaxDueAge)}); {loop}.");
    }
}

/// <summary><c>subjects</c>: no subject's last activation or evaluation on this silo threw (<see cref="SubjectFailures"/>).</summary>
internal sealed class SubjectsReadiness(SubjectFailures failures) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var failing = failures.List();
        if (failing.Count == 0)
        {
            return Task.FromResult(HealthCheckResult.Healthy("No subject is failing activation or evaluation on this silo."));
        }

        var byStage = string.Join(", ", failing.GroupBy(f => f.Stage).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}: {g.Count()}"));
        return Task.FromResult(new HealthCheckResult(context.Registration.FailureStatus,
            $"{failing.Count} subject(s) failing on this silo ({byStage}); each is logged with its id (categories SupplyChainWatch.Grains.Subjects.*) and counted in scw.subjects.failed."));
    }
}

using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using SupplyChainWatch.Api.Hosting;

namespace SupplyChainWatch.Api.Features.Health;

/// <summary>Liveness of this silo.</summary>
/// <param name="Status"><c>live</c>.</param>
/// <param name="Detail">Unused by liveness (null).</param>
public sealed record HealthView(string Status, string? Detail);

/// <summary>Readiness of this silo: every entry with its state.</summary>
/// <param name="Status"><c>ready</c> (every entry healthy or degraded) or <c>unavailable</c>.</param>
/// <param name="Entries">silo, store, webhook-dispatcher, subjects.</param>
public sealed record ReadinessView(string Status, IReadOnlyList<ReadinessEntry> Entries);

/// <summary>One readiness entry.</summary>
/// <param name="Name"><c>silo</c>, <c>store</c>, <c>webhook-dispatcher</c> or <c>subjects</c>.</param>
/// <param name="Status"><c>healthy</c>, <c>degraded</c> or <c>unhealthy</c>.</param>
/// <param name="Description">What was checked or what is wrong: states, counts and durations only.</param>
public sealed record ReadinessEntry(string Name, string Status, string Description);

public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        // Probes answer anyone and are never throttled: an orchestrator must not see a healthy silo as down.
        var group = app.MapGroup("/health").WithTags("Health").AllowAnonymous().DisableRateLimiting();

        group.MapGet("/live", () => TypedResults.Ok(new HealthView("live", null)))
            .WithName("Live")
            .WithSummary("The process is up")
            .WithDescription("Always 200 while the process serves HTTP. No authentication.");

        group.MapGet("/ready", async Task<Results<Ok<ReadinessView>, JsonHttpResult<ReadinessView>>> (HealthCheckService health, CancellationToken ct) =>
            {
                var report = await health.CheckHealthAsync(r => r.Tags.Contains(ReadinessChecks.Tag), ct);
                var entries = report.Entries
                    .Select(e => new ReadinessEntry(e.Key, e.Value.Status.ToString().ToLowerInvariant(), e.Value.Description ?? e.Value.Status.ToString()))
                    .ToList();
                return report.Status == HealthStatus.Unhealthy
                    ? TypedResults.Json(new ReadinessView("unavailable", entries), statusCode: StatusCodes.Status503ServiceUnavailable)
                    : TypedResults.Ok(new ReadinessView("ready", entries));
            })
            // JsonHttpResult carries no metadata of its own, so the 503 answer is documented here.
            .Produces<ReadinessView>(StatusCodes.Status503ServiceUnavailable)
            .WithName("Ready")
            .WithSummary("The service can take traffic")
            .WithDescription("200 when every entry is healthy (or degraded), 503 when one is unhealthy: `silo` (Active in the cluster membership), " +
                "`store` (answers at the schema this build needs; passed its integrity check at start), `webhook-dispatcher` (no due delivery older " +
                "than Webhooks:MaxDueAge; the dispatcher loop came round within Webhooks:MaxHeartbeatAge) and `subjects` (no subject whose activation " +
                "or evaluation threw on this silo). No authentication; descriptions carry states, counts and durations only.");

        return app;
    }
}

using Microsoft.AspNetCore.Http.HttpResults;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Api.Features.Health;

/// <summary>Health of this silo.</summary>
/// <param name="Status"><c>live</c>, <c>ready</c> or <c>unavailable</c>.</param>
/// <param name="Detail">Why it is not ready.</param>
public sealed record HealthView(string Status, string? Detail);

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

        group.MapGet("/ready", async Task<Results<Ok<HealthView>, JsonHttpResult<HealthView>>> (IReadModelStore readModel, CancellationToken ct) =>
            {
                try
                {
                    await readModel.QueryAsync(new SubjectQuery("supplier", null, null, null, null, true, 1, null), ct);
                    return TypedResults.Ok(new HealthView("ready", null));
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    return TypedResults.Json(new HealthView("unavailable", "the store does not answer"), statusCode: StatusCodes.Status503ServiceUnavailable);
                }
            })
            // JsonHttpResult carries no metadata of its own, so the 503 answer is documented here.
            .Produces<HealthView>(StatusCodes.Status503ServiceUnavailable)
            .WithName("Ready")
            .WithSummary("The service can take traffic")
            .WithDescription("200 when the silo runs and the store answers, 503 otherwise. No authentication.");

        return app;
    }
}

using Mediator;
using SupplyChainWatch.Api.Features.Shared;
using SupplyChainWatch.Api.Hosting;
using SupplyChainWatch.Grains.Subjects;

namespace SupplyChainWatch.Api.Features.Admin;

public static class AdminEndpoints
{
    public static IEndpointRouteBuilder MapAdminEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/admin").WithTags("Admin")
            .RequireAuthorization(p => p.RequireRole(Roles.Admin));

        group.MapPost("/rescore", async (IMediator mediator, CancellationToken ct) =>
            {
                var job = await mediator.Send(new StartRescore(), ct);
                return TypedResults.Accepted($"/api/v1/admin/rescore/{job.JobId}", job);
            })
            .WithName("StartRescore")
            .WithSummary("Re-evaluate every subject (after a risk-model change)")
            .WithDescription("Starts a background job over every subject in the evidence log and answers 202 with the job; poll its Location for done/total, rate and ETA.");

        group.MapGet("/rescore/{jobId}", async (string jobId, IMediator mediator, CancellationToken ct) =>
                (await mediator.Send(new GetRescoreJob(jobId), ct)).ToHttp())
            .WithName("GetRescoreJob")
            .WithSummary("Progress of a re-scoring job")
            .WithDescription("404 for a job this process does not know (jobs live in the process that started them).");

        group.MapGet("/quarantine", (QuarantineRegistry quarantine) => TypedResults.Ok(quarantine.List()))
            .WithName("ListQuarantine")
            .WithSummary("Subjects with quarantined evidence")
            .WithDescription("Subjects whose last evaluation in this process left stored signals out of the score (unreadable, or outside the numeric limits), with each signal id and reason. In memory of the silo: a subject is listed once it has been evaluated since the start (a re-score evaluates all).");

        return app;
    }
}

using Mediator;
using SupplyChainWatch.Api.Features.Shared;
using SupplyChainWatch.Api.Hosting;

namespace SupplyChainWatch.Api.Features.Grievances;

public static class GrievanceEndpoints
{
    public static IEndpointRouteBuilder MapGrievanceEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/grievances").WithTags("Grievances");

        group.MapPost("/", async (GrievanceBody? body, IMediator mediator, CancellationToken ct) =>
                (await mediator.Send(new SubmitGrievance(body), ct)).ToHttp(r => $"/api/v1/grievances/{r.Id}"))
            .WithName("SubmitGrievance")
            .RequireAuthorization(p => p.RequireRole(Roles.GrievanceHandler))
            .WithSummary("Submit a worker grievance")
            .WithDescription("Counts on the supplier and/or recruiter it names. The narrative and reporter contact are stored apart and never appear in risk views, lists, escalations or logs. grievanceId is the idempotency key.");

        group.MapGet("/{grievanceId}", async (string grievanceId, System.Security.Claims.ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
                (await mediator.Send(new GetGrievance(grievanceId, SecuritySetup.Caller(user)), ct)).ToHttp())
            .WithName("GetGrievance")
            .RequireAuthorization(p => p.RequireRole(Roles.GrievanceHandler))
            .WithSummary("Read a grievance with its narrative and reporter contact")
            .WithDescription("Only for grievance handlers (not even admin). Every read is recorded in the access log: who, when, which grievance.");

        group.MapPost("/{grievanceId}/status", async (string grievanceId, GrievanceStatusBody? body, IMediator mediator, CancellationToken ct) =>
                (await mediator.Send(new ChangeGrievanceStatus(grievanceId, body), ct)).ToHttp())
            .WithName("ChangeGrievanceStatus")
            .RequireAuthorization(p => p.RequireRole(Roles.GrievanceHandler))
            .WithSummary("Acknowledge, investigate, resolve or close a grievance")
            .WithDescription("Acknowledgement stops the 7-day clock; closure as unfounded or withdrawn removes its points, closure otherwise without verification decays it with a 180-day half-life. "
                + "Received → acknowledged → investigating → resolved → closed, forward only (steps may be skipped); a resolved grievance may go back to investigating; closed is final. "
                + "A change to the status in force, against that order, or dated before the current status is 409 naming the current status and its date; "
                + "the same change again (same status and date) is answered as the first time.");

        return app;
    }
}

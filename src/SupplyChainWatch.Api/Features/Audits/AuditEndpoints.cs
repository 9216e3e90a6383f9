using Mediator;
using SupplyChainWatch.Api.Features.Shared;
using SupplyChainWatch.Api.Hosting;

namespace SupplyChainWatch.Api.Features.Audits;

public static class AuditEndpoints
{
    public static IEndpointRouteBuilder MapAuditEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/audits").WithTags("Audits");

        group.MapPost("/", async (AuditBody? body, IMediator mediator, CancellationToken ct) =>
                (await mediator.Send(new SubmitAudit(body), ct)).ToHttp(_ => $"/api/v1/suppliers/{body!.SupplierId}/risk"))
            .WithName("SubmitAudit")
            .RequireAuthorization(p => p.RequireRole(Roles.Auditor))
            .WithSummary("Submit an audit with its findings")
            .WithDescription("Answered 201 once every finding is in the evidence log. auditId + findingId is the idempotency key: the same audit again is answered the same way and counted once; the same key with other content is 409.");

        group.MapPost("/{auditId}/findings/{findingId}/status", async (string auditId, string findingId, FindingStatusBody? body, IMediator mediator, CancellationToken ct) =>
                (await mediator.Send(new ChangeFindingStatus(auditId, findingId, body), ct)).ToHttp())
            .WithName("ChangeFindingStatus")
            .RequireAuthorization(p => p.RequireRole(Roles.Auditor))
            .WithSummary("Record remediation or its verification")
            .WithDescription("A verified remediation decays from its verification date with a 90-day half-life; an unverified one decays as open. "
                + "Open → remediated → verified-remediated (a step may be skipped); a remediated or verified one may be reopened (open). "
                + "A change to the status in force, against that order, or dated before the current status is 409 naming the current status and its date; "
                + "the same change again (same status and date) is answered as the first time.");

        return app;
    }
}

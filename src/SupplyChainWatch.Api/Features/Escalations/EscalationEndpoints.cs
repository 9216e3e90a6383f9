using Mediator;
using SupplyChainWatch.Api.Features.Shared;
using SupplyChainWatch.Api.Hosting;

namespace SupplyChainWatch.Api.Features.Escalations;

public static class EscalationEndpoints
{
    public static IEndpointRouteBuilder MapEscalationEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/escalations", async (string? subjectId, string? type, int? limit, string? cursor, bool? includeWithdrawn, IMediator mediator, CancellationToken ct) =>
                (await mediator.Send(new ListEscalations(subjectId, type, limit, cursor, includeWithdrawn ?? false), ct)).ToHttp())
            .WithTags("Escalations")
            .WithName("ListEscalations")
            .RequireAuthorization(p => p.RequireRole(Roles.Compliance, Roles.Admin))
            .WithSummary("List recorded escalation events")
            .WithDescription("Band changes, forced labour indicated, cases escalated, high-risk recruiters linked, overdue acknowledgements and corrective actions, oldest first. Overdue events that later evidence disproved (the deadline was met by the dates the signals carry) are withdrawn: left out unless includeWithdrawn=true, and then marked with withdrawnAt. subjectId is the subject key, sup:{supplierId} or rec:{recruiterId} (e.g. sup:sunrise-garments-2); a bare id answers 400.");
        return app;
    }
}

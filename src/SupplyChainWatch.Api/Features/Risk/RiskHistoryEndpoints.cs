using Mediator;
using SupplyChainWatch.Api.Features.Shared;
using SupplyChainWatch.Api.Hosting;
using SupplyChainWatch.Contracts;

namespace SupplyChainWatch.Api.Features.Risk;

public static class RiskHistoryEndpoints
{
    private const string Description =
        "One point per evidence-log row recorded in [from, to] (ISO 8601 instants, both optional; to defaults to now): the score, band and forced-labour " +
        "classification right after the row, and the delta from the previous point split into causes that add up to it: the row's own effect " +
        "(its kind and signal id: audit/finding, grievance or fee-report id; ids and codes only, never a narrative) and the time effects since the previous " +
        "point: 'decay' (evidence aging), 'deadline-passed' (a corrective action becoming overdue) and, for suppliers, 'recruiter-propagation' (a linked " +
        "recruiter's score, as the recruiter's own history gives it, signalId its rec:… key). When time alone moved the score after the last row, a last " +
        "point at 'to' (with the last row's seq) ends the history where a risk read at that instant does. Computed in one pass over the log. " +
        "At most 1,000 points an answer; follow nextCursor with the same from and to. 400 names a bad from, to or cursor.";

    public static IEndpointRouteBuilder MapRiskHistoryEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/suppliers/{supplierId}/risk/history", async (string supplierId, string? from, string? to, string? cursor, IMediator mediator, CancellationToken ct) =>
                (await mediator.Send(new GetRiskHistory(SubjectType.Supplier, supplierId, from, to, cursor), ct)).ToHttp())
            .WithTags("Suppliers")
            .WithName("GetSupplierRiskHistory")
            .RequireAuthorization(p => p.RequireRole(Roles.Compliance, Roles.Admin))
            .WithSummary("A supplier's score over time, each change attributed to what moved it")
            .WithDescription(Description);

        app.MapGet("/api/v1/recruiters/{recruiterId}/risk/history", async (string recruiterId, string? from, string? to, string? cursor, IMediator mediator, CancellationToken ct) =>
                (await mediator.Send(new GetRiskHistory(SubjectType.Recruiter, recruiterId, from, to, cursor), ct)).ToHttp())
            .WithTags("Recruiters")
            .WithName("GetRecruiterRiskHistory")
            .RequireAuthorization(p => p.RequireRole(Roles.Compliance, Roles.Admin))
            .WithSummary("A recruiter's score over time, each change attributed to what moved it")
            .WithDescription(Description);

        return app;
    }
}

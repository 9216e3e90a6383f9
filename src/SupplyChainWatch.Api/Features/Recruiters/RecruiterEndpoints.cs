using Mediator;
using SupplyChainWatch.Api.Features.Risk;
using SupplyChainWatch.Api.Features.Shared;
using SupplyChainWatch.Api.Hosting;

namespace SupplyChainWatch.Api.Features.Recruiters;

public static class RecruiterEndpoints
{
    public static IEndpointRouteBuilder MapRecruiterEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/recruiters").WithTags("Recruiters");

        group.MapPut("/{recruiterId}", async (string recruiterId, RecruiterProfileBody? body, IMediator mediator, CancellationToken ct) =>
                (await mediator.Send(new RegisterRecruiter(recruiterId, body), ct)).ToHttp(v => $"/api/v1/recruiters/{v.RecruiterId}"))
            .WithName("RegisterRecruiter")
            .RequireAuthorization(p => p.RequireRole(Roles.Admin))
            .WithSummary("Create or replace a labour recruiter's profile")
            .WithDescription("Corridors (origin and destination countries) feed the recruiter's inherent risk. 201 when the recruiter is new, 200 otherwise.");

        group.MapGet("/{recruiterId}", async (string recruiterId, IMediator mediator, CancellationToken ct) =>
                (await mediator.Send(new GetRecruiter(recruiterId), ct)).ToHttp())
            .WithName("GetRecruiter")
            .RequireAuthorization(p => p.RequireRole(Roles.Compliance, Roles.Admin))
            .WithSummary("Read a recruiter's profile and the suppliers it places workers with")
            .WithDescription("404 when nothing has been recorded about the recruiter.");

        group.MapGet("/{recruiterId}/risk", async (string recruiterId, string? asOf, string? dated, IMediator mediator, CancellationToken ct) =>
                (await mediator.Send(new GetRisk(SubjectType.Recruiter, recruiterId, asOf, dated), ct)).ToSharedJsonHttp())
            .WithName("GetRecruiterRisk")
            .RequireAuthorization(p => p.RequireRole(Roles.Compliance, Roles.Admin))
            .WithSummary("Explained risk of a recruiter, now, as recorded by an instant (asOf) or as dated by an instant (dated)")
            .WithDescription("Includes recruitment-fee groups per corridor and year, the median recruitment cost ratio and Employer Pays breaches. With asOf, the score is recomputed from the evidence *recorded* by then (the evidence log as it stood: what the service knew at that instant). With dated, it is recomputed from the evidence *dated* by then (audits that had ended, grievances received, status changes and fee reports by the dates they carry, however late they were recorded: how the world stood), evaluated at that instant; profiles and links carry no date and always count. Give at most one; an unreadable instant or one outside 1990-01-01 to 2100-12-31 is 400 naming the parameter.");

        group.MapGet("/", async (string? country, string? band, int? minScore, string? sort, int? limit, string? cursor, string? profile, IMediator mediator, CancellationToken ct) =>
                (await mediator.Send(new ListSubjects(SubjectType.Recruiter, country, null, band, minScore, sort, limit, cursor, profile), ct)).ToHttp())
            .WithName("ListRecruiters")
            .RequireAuthorization(p => p.RequireRole(Roles.Compliance, Roles.Admin))
            .WithSummary("List recruiters by risk")
            .WithDescription("Filters: country, band, minScore, profile (missing: recruiters known only from evidence, " +
                "such as one created by a mistyped recruiterId in a submission; present: those with a profile). Sorted by score, highest first by default. Up to 500 a page; follow nextCursor.");

        return app;
    }
}

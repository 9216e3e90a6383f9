using Mediator;
using SupplyChainWatch.Api.Features.Risk;
using SupplyChainWatch.Api.Features.Shared;
using SupplyChainWatch.Api.Hosting;

namespace SupplyChainWatch.Api.Features.Suppliers;

public static class SupplierEndpoints
{
    public static IEndpointRouteBuilder MapSupplierEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/suppliers").WithTags("Suppliers");

        group.MapPut("/{supplierId}", async (string supplierId, SupplierProfileBody? body, IMediator mediator, CancellationToken ct) =>
                (await mediator.Send(new RegisterSupplier(supplierId, body), ct)).ToHttp(v => $"/api/v1/suppliers/{v.SupplierId}"))
            .WithName("RegisterSupplier")
            .RequireAuthorization(p => p.RequireRole(Roles.Admin))
            .WithSummary("Create or replace a supplier site's profile")
            .WithDescription("Country, sector, workforce and products feed the supplier's inherent risk. Repeating the same profile changes nothing. 201 when the supplier is new, 200 otherwise.");

        group.MapGet("/{supplierId}", async (string supplierId, IMediator mediator, CancellationToken ct) =>
                (await mediator.Send(new GetSupplier(supplierId), ct)).ToHttp())
            .WithName("GetSupplier")
            .RequireAuthorization(p => p.RequireRole(Roles.Compliance, Roles.Admin))
            .WithSummary("Read a supplier's profile and recruiters")
            .WithDescription("404 when nothing has been recorded about the supplier.");

        group.MapPut("/{supplierId}/recruiters/{recruiterId}", async (string supplierId, string recruiterId, LinkRecruiterBody? body, IMediator mediator, CancellationToken ct) =>
                (await mediator.Send(new LinkRecruiter(supplierId, recruiterId, body), ct)).ToHttp())
            .WithName("LinkRecruiter")
            .RequireAuthorization(p => p.RequireRole(Roles.Admin))
            .WithSummary("Set the share of a supplier's workforce a recruiter placed")
            .WithDescription("The recruiter's score propagates to the supplier in proportion to the share. Shares of one supplier may not exceed 1.");

        group.MapGet("/{supplierId}/risk", async (string supplierId, string? asOf, string? dated, IMediator mediator, CancellationToken ct) =>
                (await mediator.Send(new GetRisk(SubjectType.Supplier, supplierId, asOf, dated), ct)).ToSharedJsonHttp())
            .WithName("GetSupplierRisk")
            .RequireAuthorization(p => p.RequireRole(Roles.Compliance, Roles.Admin))
            .WithSummary("Explained risk of a supplier, now, as recorded by an instant (asOf) or as dated by an instant (dated)")
            .WithDescription("Score 0–100, band, forced-labour classification (rule FL-1), zero-tolerance triggers, cases and every term of the score. With asOf, the score is recomputed from the evidence *recorded* by then (the evidence log as it stood: what the service knew at that instant). With dated, it is recomputed from the evidence *dated* by then (audits that had ended, grievances received, status changes and fee reports by the dates they carry, however late they were recorded: how the world stood), evaluated at that instant; profiles and links carry no date and always count. Give at most one; an unreadable instant or one outside 1990-01-01 to 2100-12-31 is 400 naming the parameter.");

        group.MapGet("/", async (string? country, string? sector, string? band, int? minScore, string? sort, int? limit, string? cursor, string? profile, IMediator mediator,
                    CancellationToken ct) =>
                (await mediator.Send(new ListSubjects(SubjectType.Supplier, country, sector, band, minScore, sort, limit, cursor, profile), ct)).ToHttp())
            .WithName("ListSuppliers")
            .RequireAuthorization(p => p.RequireRole(Roles.Compliance, Roles.Admin))
            .WithSummary("List suppliers by risk")
            .WithDescription("Filters: country, sector, band, minScore, profile (missing: suppliers known only from evidence, " +
                "such as one created by a mistyped supplierId in a submission; present: those with a profile). Sorted by score, highest first (sort=-score) or lowest first (sort=score). Up to 500 a page; follow nextCursor.");

        return app;
    }
}

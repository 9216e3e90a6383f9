using Mediator;
using SupplyChainWatch.Api.Features.Shared;
using SupplyChainWatch.Api.Hosting;

namespace SupplyChainWatch.Api.Features.RecruitmentFees;

public static class RecruitmentFeeEndpoints
{
    public static IEndpointRouteBuilder MapRecruitmentFeeEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/recruitment-fees", async (FeeReportBody? body, IMediator mediator, CancellationToken ct) =>
                (await mediator.Send(new SubmitFeeReport(body), ct)).ToHttp(_ => $"/api/v1/recruiters/{body!.RecruiterId}/risk"))
            .WithTags("Recruitment fees")
            .WithName("SubmitFeeReport")
            .RequireAuthorization(p => p.RequireRole(Roles.RecruitmentMonitor))
            .WithSummary("Submit a recruitment-fee report for one worker")
            .WithDescription("Worker-paid costs over the monthly wage give the recruitment cost ratio (SDG 10.7.1). Any worker-paid fee breaks the Employer Pays Principle. A currency without a rate in the report or in config is a 400 naming it. reportId is the idempotency key.");
        return app;
    }
}

using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mediator;
using SupplyChainWatch.Api.Features.Shared;
using SupplyChainWatch.Api.Hosting;

namespace SupplyChainWatch.Api.Features.Referrals;

public static class ReferralEndpoints
{
    public static IEndpointRouteBuilder MapReferralEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/cases/{caseId}/referrals", async (string caseId, ReferralBody? body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
                (await mediator.Send(new BuildReferral(caseId, body, SecuritySetup.Caller(user)), ct)).ToHttp(p => $"/api/v1/referrals/{p.ReferralId}"))
            .WithTags("Referrals")
            .WithName("BuildReferral")
            .RequireAuthorization(p => p.RequireRole(Roles.CaseOfficer))
            .WithSummary("Build a referral package for one case")
            .WithDescription("The case's evidence-log rows with their hashes and the subject's chain head, the case's FL-1 classification and the consent of each grievance. " +
                "Law enforcement and labour inspectorates need consent.shareWithLawEnforcement on every grievance of the case (403 with the reason otherwise), unless a safety override " +
                "is given for a case that carries imminentDanger or childInvolved. Grievances without consent for the recipient are redacted to their hashes in every package. " +
                "Every build and refusal is written to the referral access log. Never contains grievance narratives or reporter contacts.");

        var group = app.MapGroup("/api/v1/referrals").WithTags("Referrals");

        group.MapGet("/{referralId}", async (string referralId, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
                (await mediator.Send(new GetReferral(referralId, SecuritySetup.Caller(user)), ct)).ToHttp())
            .WithName("GetReferral")
            .RequireAuthorization(p => p.RequireRole(Roles.CaseOfficer))
            .WithSummary("Read a referral package")
            .WithDescription("Exactly as built. The read is written to the referral access log.");

        // Read as plain JSON rather than bound to ReferralPackage: an altered value must be reported as an alteration,
        // not refused as a bad request.
        group.MapPost("/verify", async (HttpRequest http, IMediator mediator, CancellationToken ct) =>
            {
                if (!http.HasJsonContentType())
                {
                    return Results.Problem("Send the package as application/json.", statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type.");
                }

                JsonNode? package;
                try
                {
                    package = await JsonNode.ParseAsync(http.Body, documentOptions: new JsonDocumentOptions { MaxDepth = 64 }, cancellationToken: ct);
                }
                catch (JsonException)
                {
                    return HttpResults.Invalid(new Dictionary<string, string[]> { ["body"] = ["is not valid JSON"] });
                }

                return (await mediator.Send(new VerifyReferral(package), ct)).ToHttp();
            })
            .Accepts<ReferralPackage>("application/json")
            .Produces<VerificationView>()
            .WithName("VerifyReferral")
            .RequireAuthorization(p => p.RequireRole(Roles.CaseOfficer, Roles.Admin))
            .WithSummary("Check a referral package against the evidence log")
            .WithDescription("Send a package as GET returned it. Recomputes the SHA-256 of every item's content and every row hash, verifies the subject's hash chain and chain head, " +
                "and compares the rest with the package as built, value by value: valid is false, with each problem named, when a single byte of an item's content or a hash, " +
                "or any other value, was altered. Another notation for the same value (an instant written with Z or +00:00, 20 or 20.0, a null member left out), as a typed client writes it, is no alteration.");

        group.MapGet("/access-log", async (string? subjectId, string? caseId, int? limit, IMediator mediator, CancellationToken ct) =>
                (await mediator.Send(new ListReferralAccess(subjectId, caseId, limit), ct)).ToHttp())
            .WithName("ListReferralAccess")
            .RequireAuthorization(p => p.RequireRole(Roles.Admin))
            .WithSummary("The referral access log")
            .WithDescription("Every package build, refused build and read: who, when, which case, for whom, under which safety override, what was shared. Filter by subjectId and caseId; limit ≤ 1000.");

        return app;
    }
}

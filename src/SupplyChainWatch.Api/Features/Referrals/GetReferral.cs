using System.Text.Json;
using System.Text.Json.Nodes;
using Mediator;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using SupplyChainWatch.Api.Features.Shared;
using SupplyChainWatch.Grains;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Api.Features.Referrals;

/// <summary>A stored package, read back exactly as built; the read is written to the access log.</summary>
public sealed record GetReferral(string ReferralId, string Caller) : IRequest<CommandResult<ReferralPackage>>;

public sealed class GetReferralHandler(SqlReferralStore store, ServiceClock clock, IOptions<JsonOptions> json) : IRequestHandler<GetReferral, CommandResult<ReferralPackage>>
{
    public async ValueTask<CommandResult<ReferralPackage>> Handle(GetReferral request, CancellationToken cancellationToken)
    {
        var validation = new Validation();
        if (!validation.Id("referralId", request.ReferralId))
        {
            return CommandResult<ReferralPackage>.From(validation);
        }

        if (await store.GetAsync(request.ReferralId, cancellationToken) is not { } stored)
        {
            return new CommandResult<ReferralPackage>.NotFound($"No referral package '{request.ReferralId}' exists.");
        }

        await store.LogAsync(new ReferralAccess(stored.ReferralId, stored.SubjectId, stored.CaseId, SqlReferralStore.Actions.Read, request.Caller,
            StorageDatabase.Normalize(clock.Now), stored.RecipientType, null, "package read"), cancellationToken);
        var package = ReferralRules.WithholdConfidentialDigests(JsonNode.Parse(stored.PackageJson)!.AsObject()).Deserialize<ReferralPackage>(json.Value.SerializerOptions)
            ?? throw new JsonException($"Referral package '{stored.ReferralId}' is stored as null.");
        return new CommandResult<ReferralPackage>.Ok(package, Created: false);
    }
}

/// <summary>One line of the referral access log.</summary>
/// <param name="ReferralId">The package (absent for a refused build). <example>rfp_4c1e0b9a7d2f4e6a8b3c5d7e9f1a2b3c</example></param>
/// <param name="SubjectId">Subject of the case. <example>sup:sunrise-2</example></param>
/// <param name="CaseId">The case. <example>grievance:GRV-2026-0193</example></param>
/// <param name="Action">build, refused or read. <example>build</example></param>
/// <param name="Actor">Who (token subject). <example>officer-17</example></param>
/// <param name="At">When.</param>
/// <param name="RecipientType">For whom. <example>law-enforcement</example></param>
/// <param name="OverrideKind">The safety override a build used. <example>imminent-danger</example></param>
/// <param name="Detail">What was shared (rows, redactions, override justification) or why it was refused. <example>3 items (1 redacted), rows 2,3,5, chain head 7</example></param>
public sealed record ReferralAccessView(string? ReferralId, string SubjectId, string CaseId, string Action, string Actor, DateTimeOffset At, string RecipientType, string? OverrideKind, string Detail);

/// <summary>Access-log lines, oldest first.</summary>
/// <param name="Items">The lines.</param>
public sealed record ReferralAccessLogView(IReadOnlyList<ReferralAccessView> Items);

public sealed record ListReferralAccess(string? SubjectId, string? CaseId, int? Limit) : IRequest<CommandResult<ReferralAccessLogView>>;

public sealed class ListReferralAccessHandler(SqlReferralStore store) : IRequestHandler<ListReferralAccess, CommandResult<ReferralAccessLogView>>
{
    public async ValueTask<CommandResult<ReferralAccessLogView>> Handle(ListReferralAccess request, CancellationToken cancellationToken)
    {
        var validation = new Validation();
        validation.OptionalSubjectKey("subjectId", request.SubjectId);

        if (request.CaseId is not null)
        {
            BuildReferralHandler.ValidateCaseId(validation, request.CaseId);
        }

        if (request.Limit is < 1 or > 1000)
        {
            validation.Add("limit", "must be between 1 and 1000");
        }

        if (!validation.IsValid)
        {
            return CommandResult<ReferralAccessLogView>.From(validation);
        }

        var lines = await store.ListAccessAsync(request.SubjectId, request.CaseId, request.Limit ?? 200, cancellationToken);
        return new CommandResult<ReferralAccessLogView>.Ok(
            new ReferralAccessLogView([.. lines.Select(l => new ReferralAccessView(l.ReferralId, l.SubjectId, l.CaseId, l.Action, l.Actor, l.At, l.RecipientType, l.OverrideKind, l.Detail))]),
            Created: false);
    }
}

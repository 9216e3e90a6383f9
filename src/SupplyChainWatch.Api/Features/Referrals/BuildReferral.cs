using System.Text.Json;
using Mediator;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using SupplyChainWatch.Api.Features.Shared;
using SupplyChainWatch.Contracts;
using SupplyChainWatch.Domain;
using SupplyChainWatch.Grains;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Api.Features.Referrals;

/// <summary>Grounds for sharing with an authority without every worker's consent.</summary>
/// <param name="Kind">imminent-danger or child; the case must carry the matching flag (imminentDanger, childInvolved). <example>imminent-danger</example></param>
/// <param name="Justification">Why the danger cannot wait for consent; kept in the access log. <example>Workers locked in the dormitory at night; fire exits chained.</example></param>
public sealed record SafetyOverrideBody(string? Kind, string? Justification);

/// <summary>A request to build a referral package for one case.</summary>
/// <param name="SubjectId">The subject whose case it is: sup:{supplierId} or rec:{recruiterId} (case ids from caseRef are per subject). <example>sup:sunrise-2</example></param>
/// <param name="RecipientType">ngo, law-enforcement, legal-service or labour-inspectorate. <example>law-enforcement</example></param>
/// <param name="RecipientName">Who receives it. <example>Royal Malaysia Police, Anti-Trafficking Unit</example></param>
/// <param name="Reason">Why it is referred. <example>Passports retained by the employer; workers report debts they cannot leave.</example></param>
/// <param name="SafetyOverride">Only for an authority when consent is missing and the case carries imminentDanger or childInvolved.</param>
public sealed record ReferralBody(string? SubjectId, string? RecipientType, string? RecipientName, string? Reason, SafetyOverrideBody? SafetyOverride);

/// <summary>One evidence-log row of the case, with the hashes that tie it to the log.</summary>
/// <param name="SubjectSeq">Its place in the subject's hash chain. <example>4</example></param>
/// <param name="Kind">finding, finding-status, grievance, grievance-status or fee-report. <example>grievance</example></param>
/// <param name="IdempotencyKey">The key it was submitted under. <example>grievance:GRV-2026-0193</example></param>
/// <param name="OccurredAt">When it happened, as submitted.</param>
/// <param name="RecordedAt">When the log recorded it.</param>
/// <param name="ContentHash">SHA-256 (hex) of the UTF-8 bytes of contentJson. <example>9f2c4e1d7a0b3c5e8f6a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6</example></param>
/// <param name="PreviousHash">rowHash of the subject's previous row. <example>0c1d2e3f4a5b6c7d8e9fa0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1</example></param>
/// <param name="RowHash">SHA-256 of previousHash|subjectId|subjectSeq|idempotencyKey|kind|contentHash. <example>5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f</example></param>
/// <param name="Redacted">True when the worker did not consent to sharing with this recipient: only the hashes are given.</param>
/// <param name="RedactionReason">Why it is redacted. <example>no consent to share with law-enforcement</example></param>
/// <param name="ContentJson">The row's content exactly as the log hashed it (null when redacted). <example>{"supplierId":"sunrise-2"}</example></param>
public sealed record ReferralItem(
    long SubjectSeq,
    string Kind,
    string IdempotencyKey,
    DateTimeOffset OccurredAt,
    DateTimeOffset RecordedAt,
    string ContentHash,
    string PreviousHash,
    string RowHash,
    bool Redacted,
    string? RedactionReason,
    string? ContentJson);

/// <summary>The subject's newest evidence-log row when the package was built.</summary>
/// <param name="SubjectSeq">Its sequence number. <example>9</example></param>
/// <param name="RowHash">Its row hash. <example>5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f</example></param>
public sealed record ChainHead(long SubjectSeq, string RowHash);

/// <summary>A grievance's consent flags and whether this package shares it.</summary>
/// <param name="GrievanceId">The grievance. <example>GRV-2026-0193</example></param>
/// <param name="ShareWithBrand">Consent to share with the brand.</param>
/// <param name="ShareWithNgo">Consent to share with NGOs and legal services.</param>
/// <param name="ShareWithLawEnforcement">Consent to share with law enforcement and labour inspectorates.</param>
/// <param name="Shared">Whether its content is in this package.</param>
public sealed record ConsentView(string GrievanceId, bool ShareWithBrand, bool ShareWithNgo, bool ShareWithLawEnforcement, bool Shared);

/// <summary>Flags of the case that a safety override depends on.</summary>
/// <param name="ImminentDanger">A grievance flagged imminent danger, or a zero-tolerance health-and-safety finding.</param>
/// <param name="ChildInvolved">A grievance flagged a child, or a child-labour finding.</param>
public sealed record CaseFlags(bool ImminentDanger, bool ChildInvolved);

/// <summary>One case's evidence for one recipient, verifiable against the evidence log.</summary>
/// <param name="ReferralId">Package id. <example>rfp_4c1e0b9a7d2f4e6a8b3c5d7e9f1a2b3c</example></param>
/// <param name="SubjectId">The subject. <example>sup:sunrise-2</example></param>
/// <param name="CaseId">The case (audit:…, grievance:…, ref:…, fee-report:…). <example>grievance:GRV-2026-0193</example></param>
/// <param name="RecipientType">Who it is for. <example>law-enforcement</example></param>
/// <param name="RecipientName">Recipient. <example>Royal Malaysia Police, Anti-Trafficking Unit</example></param>
/// <param name="Reason">Why it is referred. <example>Passports retained by the employer.</example></param>
/// <param name="SafetyOverride">The override it was built under, if any.</param>
/// <param name="BuiltBy">Who built it. <example>officer-17</example></param>
/// <param name="BuiltAt">When.</param>
/// <param name="Flags">The case's safety flags.</param>
/// <param name="Consent">Consent of every grievance in the case.</param>
/// <param name="Classification">Rule FL-1 for this case now, with the observations used (those of redacted grievances left out); null when no observation of the case is in the reference period.</param>
/// <param name="ObservationsRedacted">How many observations of the classification come from redacted grievances. <example>0</example></param>
/// <param name="Items">The case's evidence-log rows, oldest first.</param>
/// <param name="ChainHead">The subject's chain head at build time.</param>
public sealed record ReferralPackage(
    string ReferralId,
    string SubjectId,
    string CaseId,
    string RecipientType,
    string RecipientName,
    string Reason,
    SafetyOverrideBody? SafetyOverride,
    string BuiltBy,
    DateTimeOffset BuiltAt,
    CaseFlags Flags,
    IReadOnlyList<ConsentView> Consent,
    CaseClassification? Classification,
    int ObservationsRedacted,
    IReadOnlyList<ReferralItem> Items,
    ChainHead ChainHead);

public sealed record BuildReferral(string CaseId, ReferralBody? Body, string Caller) : IRequest<CommandResult<ReferralPackage>>;

public sealed class BuildReferralHandler(IEvidenceLog evidenceLog, IGrainFactory grains, SqlReferralStore store, ServiceClock clock, IOptions<JsonOptions> json)
    : IRequestHandler<BuildReferral, CommandResult<ReferralPackage>>
{
    public async ValueTask<CommandResult<ReferralPackage>> Handle(BuildReferral request, CancellationToken cancellationToken)
    {
        var validation = new Validation();
        ValidateCaseId(validation, request.CaseId);
        var body = request.Body;
        if (!validation.Required("body", body))
        {
            return CommandResult<ReferralPackage>.From(validation);
        }

        var subjectId = body!.SubjectId;
        validation.SubjectKey("subjectId", subjectId);

        var recipient = validation.Enum<RecipientType>("recipientType", body.RecipientType, required: true);
        validation.Text("recipientName", body.RecipientName, 200, required: true);
        validation.Text("reason", body.Reason, 2000, required: true);
        SafetyOverrideKind? overrideKind = null;
        if (body.SafetyOverride is { } safety)
        {
            overrideKind = validation.Enum<SafetyOverrideKind>("safetyOverride.kind", safety.Kind, required: true);
            validation.Text("safetyOverride.justification", safety.Justification, 2000, required: true);
        }

        if (!validation.IsValid)
        {
            return CommandResult<ReferralPackage>.From(validation);
        }

        var rows = await evidenceLog.ReadSubjectAsync(subjectId!, 0, cancellationToken);
        if (rows.Count == 0)
        {
            return new CommandResult<ReferralPackage>.NotFound($"No subject '{subjectId}' is known.");
        }

        if (ReferralRules.Collect(rows, request.CaseId) is not { } facts)
        {
            return new CommandResult<ReferralPackage>.NotFound($"Subject '{subjectId}' has no case '{request.CaseId}'.");
        }

        var now = StorageDatabase.Normalize(clock.Now);
        var recipientName = Validation.KebabCase(recipient!.Value);
        var overrideName = overrideKind is { } kind ? Validation.KebabCase(kind) : null;
        var decision = ReferralRules.Decide(facts, recipient.Value, overrideKind);
        if (!decision.Allowed)
        {
            await store.LogAsync(new ReferralAccess(null, subjectId!, request.CaseId, SqlReferralStore.Actions.Refused, request.Caller, now, recipientName, overrideName,
                decision.RefusalReason!), cancellationToken);
            return new CommandResult<ReferralPackage>.Refused(decision.RefusalReason!);
        }

        var items = facts.Rows.Select(row =>
        {
            var unconsented = facts.GrievanceOfRow.TryGetValue(row.SubjectSeq, out var grievanceId) && decision.RedactedGrievances.Contains(grievanceId);
            var reason = unconsented ? $"no consent to share with {recipientName}"
                : ReferralRules.CarriesConfidentialDigest(row.Kind, row.ContentJson) ? ReferralRules.DigestRedactionReason
                : null;
            return new ReferralItem(row.SubjectSeq, row.Kind, row.HashedKey, row.OccurredAt, row.RecordedAt, row.ContentHash, row.PreviousHash, row.RowHash,
                reason is not null, reason, reason is null ? row.ContentJson : null);
        }).ToList();

        var evaluation = (await grains.GetSubjectGrain(subjectId!).GetRiskAsync(null))?.Evaluation;
        var (classification, observationsRedacted) = Classification(evaluation, request.CaseId, decision.RedactedGrievances);
        var head = rows.MaxBy(r => r.SubjectSeq)!;
        var (shownDanger, shownChild) = ReferralRules.ShownFlags(facts, decision, overrideKind);
        var package = new ReferralPackage(
            "rfp_" + Guid.NewGuid().ToString("N"), subjectId!, request.CaseId, recipientName, body.RecipientName!, body.Reason!,
            overrideKind is null ? null : new SafetyOverrideBody(overrideName, body.SafetyOverride!.Justification),
            request.Caller, now, new CaseFlags(shownDanger, shownChild),
            [.. facts.Grievances.Select(g => new ConsentView(g.GrievanceId, g.Consent.ShareWithBrand, g.Consent.ShareWithNgo, g.Consent.ShareWithLawEnforcement,
                !decision.RedactedGrievances.Contains(g.GrievanceId)))],
            classification, observationsRedacted, items, new ChainHead(head.SubjectSeq, head.RowHash));

        var packageJson = JsonSerializer.Serialize(package, json.Value.SerializerOptions);
        var redactedCount = items.Count(i => i.Redacted);
        var detail = $"{items.Count} items ({redactedCount} redacted), rows {string.Join(",", items.Select(i => i.SubjectSeq))}, chain head {head.SubjectSeq}" +
            (decision.OverrideApplied ? $"; safety override {overrideName}: {body.SafetyOverride!.Justification}" : string.Empty);
        await store.SaveAsync(
            new StoredReferral(package.ReferralId, subjectId!, request.CaseId, recipientName, request.Caller, now, packageJson),
            new ReferralAccess(package.ReferralId, subjectId!, request.CaseId, SqlReferralStore.Actions.Build, request.Caller, now, recipientName,
                decision.OverrideApplied ? overrideName : null, detail),
            cancellationToken);
        return new CommandResult<ReferralPackage>.Ok(package, Created: true);
    }

    internal static void ValidateCaseId(Validation validation, string caseId)
    {
        var prefix = ReferralRules.CasePrefixes.FirstOrDefault(p => caseId.StartsWith(p, StringComparison.Ordinal));
        if (prefix is null || caseId.Length == prefix.Length || caseId.Length > 140 ||
            !caseId[prefix.Length..].All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':'))
        {
            validation.Add("caseId", $"must be {string.Join(", ", ReferralRules.CasePrefixes.Select(p => p + "{id}"))} with an id of letters, digits, '-', '_', '.' or ':'");
        }
    }

    /// <summary>The case's FL-1 classification without the observations of redacted grievances (a grievance's signal id is its id).</summary>
    private static (CaseClassification? Classification, int Redacted) Classification(RiskEvaluation? evaluation, string caseId, IReadOnlySet<string> redacted)
    {
        if (evaluation?.Cases.FirstOrDefault(c => c.CaseId == caseId) is not { } found)
        {
            return (null, 0);
        }

        var involuntariness = found.Involuntariness.Where(o => !redacted.Contains(o.SignalId)).ToList();
        var menace = found.MenaceOfPenalty.Where(o => !redacted.Contains(o.SignalId)).ToList();
        var removed = found.Involuntariness.Count + found.MenaceOfPenalty.Count - involuntariness.Count - menace.Count;
        return (found with { Involuntariness = involuntariness, MenaceOfPenalty = menace, SignalIds = [.. found.SignalIds.Where(s => !redacted.Contains(s))] }, removed);
    }
}

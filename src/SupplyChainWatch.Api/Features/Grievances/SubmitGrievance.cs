using System.Security.Cryptography;
using System.Text;
using Mediator;
using SupplyChainWatch.Api.Features.Audits;
using SupplyChainWatch.Api.Features.Shared;
using SupplyChainWatch.Contracts;
using SupplyChainWatch.Domain;
using SupplyChainWatch.Grains;
using SupplyChainWatch.Grains.Intake;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Api.Features.Grievances;

/// <summary>What the worker agreed to share, and with whom.</summary>
/// <param name="ShareWithBrand">The worker agrees that the brand sees the case.</param>
/// <param name="ShareWithNgo">The worker agrees that NGOs see the case.</param>
/// <param name="ShareWithLawEnforcement">The worker agrees to a referral to law enforcement.</param>
public sealed record ConsentBody(bool? ShareWithBrand, bool? ShareWithNgo, bool? ShareWithLawEnforcement);

/// <summary>A worker's grievance, from a worker-voice channel, union, NGO or hotline.</summary>
/// <param name="GrievanceId">The channel's id; the idempotency key. <example>WV-2026-1187</example></param>
/// <param name="SupplierId">Site concerned (this or recruiterId or both). <example>sunrise-garments-2</example></param>
/// <param name="RecruiterId">Recruiter concerned.</param>
/// <param name="ReceivedAt">When the channel received it. <example>2026-11-02T08:15:00Z</example></param>
/// <param name="Channel">The channel. <example>hotline</example></param>
/// <param name="Allegations">Forced-labour indicator codes alleged.</param>
/// <param name="Categories">Finding categories the grievance concerns.</param>
/// <param name="WorkersAffected">Workers concerned. <example>12</example></param>
/// <param name="EvidenceStatus">alleged (default), corroborated, verified, reported or self-assessed.</param>
/// <param name="ImminentDanger">Danger to life now.</param>
/// <param name="ChildInvolved">A child is involved.</param>
/// <param name="Anonymity">anonymous, confidential or identified. <example>confidential</example></param>
/// <param name="Narrative">The worker's account. Stored confidentially, never shown in risk views.</param>
/// <param name="ReporterContact">How to reach the reporter. Stored confidentially.</param>
/// <param name="Consent">What the worker agreed to share.</param>
/// <param name="CaseRef">Groups observations of one case across submissions.</param>
public sealed record GrievanceBody(
    string? GrievanceId,
    string? SupplierId,
    string? RecruiterId,
    DateTimeOffset? ReceivedAt,
    string? Channel,
    IReadOnlyList<IndicatorBody>? Allegations,
    IReadOnlyList<string>? Categories,
    int? WorkersAffected,
    string? EvidenceStatus,
    bool? ImminentDanger,
    bool? ChildInvolved,
    string? Anonymity,
    string? Narrative,
    string? ReporterContact,
    ConsentBody? Consent,
    string? CaseRef);

public enum Anonymity
{
    Anonymous,
    Confidential,
    Identified,
}

public sealed record SubmitGrievance(GrievanceBody? Body) : IRequest<CommandResult<SubmissionReceipt>>;

public static class SubmitGrievanceValidator
{
    /// <summary>Validates a grievance and builds its evidence rows and vault entry: for the single endpoint and the import.</summary>
    public static PreparedSignal? Prepare(GrievanceBody? body, DateTimeOffset now, Validation validation)
    {
        var grievance = Validate(body, now, validation);
        if (grievance is null)
        {
            return null;
        }

        var consent = new EvidenceContent.GrievanceConsent(body!.Consent!.ShareWithBrand!.Value, body.Consent.ShareWithNgo!.Value, body.Consent.ShareWithLawEnforcement!.Value);
        // The log holds neither the confidential text nor any digest of it: the log's content reaches roles outside
        // grievance handling (referral packages), and an unkeyed digest of a phone number is reversed by guessing. The
        // vault compares a resubmission's text by a keyed MAC instead.
        var parsed = new EvidenceContent.Grievance(body.SupplierId, body.RecruiterId, body.Channel!, body.Anonymity!, consent, null, grievance);
        var content = EvidenceJson.Serialize(parsed);
        var key = SubmitGrievanceHandler.GrievanceKey(grievance.GrievanceId);
        var rows = new List<EvidenceAppend>();
        if (body.SupplierId is not null)
        {
            rows.Add(new EvidenceAppend(SubjectKeys.Supplier(body.SupplierId), key, EvidenceKinds.Grievance, content, grievance.ReceivedAt, parsed));
        }

        if (body.RecruiterId is not null)
        {
            rows.Add(new EvidenceAppend(SubjectKeys.Recruiter(body.RecruiterId), key, EvidenceKinds.Grievance, content, grievance.ReceivedAt, parsed));
        }

        // Every grievance gets a vault row, text or none, so that text added by a resubmission is a conflict too.
        return new PreparedSignal(grievance.GrievanceId, rows,
            _ => $"Grievance '{grievance.GrievanceId}' was already submitted with different content.",
            new ConfidentialText(grievance.GrievanceId, body.Narrative, body.ReporterContact))
        {
            LegacyContentJson = LegacyDigest(body) is { } digest
                ? EvidenceJson.Serialize(new EvidenceContent.Grievance(body.SupplierId, body.RecruiterId, body.Channel!, body.Anonymity!, consent, digest, grievance))
                : null,
        };
    }

    /// <summary>
    /// The unsalted SHA-256 that rows written before schema version 8 carry, computed only to recognise a resubmission of
    /// such a grievance (compared in memory, never stored or returned).
    /// </summary>
    private static string? LegacyDigest(GrievanceBody body)
    {
        if (body.Narrative is null && body.ReporterContact is null)
        {
            return null;
        }

        var bytes = Encoding.UTF8.GetBytes($"{body.Narrative}\u0000{body.ReporterContact}");
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    private static Grievance? Validate(GrievanceBody? body, DateTimeOffset now, Validation validation)
    {
        if (!validation.Required("body", body))
        {
            return null;
        }

        validation.Id("grievanceId", body!.GrievanceId);
        validation.OptionalId("supplierId", body.SupplierId);
        validation.OptionalId("recruiterId", body.RecruiterId);
        if (body.SupplierId is null && body.RecruiterId is null)
        {
            validation.Add("supplierId", "supplierId or recruiterId (or both) is required");
        }

        if (validation.RequiredValue("receivedAt", body.ReceivedAt))
        {
            validation.NotInFuture("receivedAt", body.ReceivedAt, now);
            if (!DomainLimits.IsInstant(body.ReceivedAt!.Value))
            {
                validation.Add("receivedAt", DomainLimits.DateRule);
            }
        }

        validation.Text("channel", body.Channel, 100, required: true);
        var allegations = Indicators.Validate("allegations", body.Allegations, validation);
        validation.MaxItems("categories", body.Categories, 15);
        var categories = new List<FindingCategory>();
        for (var i = 0; i < Math.Min(body.Categories?.Count ?? 0, 15); i++)
        {
            if (validation.Enum<FindingCategory>($"categories[{i}]", body.Categories![i], required: true) is { } category)
            {
                categories.Add(category);
            }
        }

        if (validation.RequiredValue("workersAffected", body.WorkersAffected))
        {
            validation.Workers("workersAffected", body.WorkersAffected);
        }

        var evidence = validation.Enum<EvidenceStatus>("evidenceStatus", body.EvidenceStatus, required: false) ?? EvidenceStatus.Alleged;
        validation.Enum<Anonymity>("anonymity", body.Anonymity, required: true);
        validation.Text("narrative", body.Narrative, 20_000, required: false, prose: true);
        validation.Text("reporterContact", body.ReporterContact, 500, required: false);
        if (validation.Required("consent", body.Consent))
        {
            validation.RequiredValue("consent.shareWithBrand", body.Consent!.ShareWithBrand);
            validation.RequiredValue("consent.shareWithNgo", body.Consent.ShareWithNgo);
            validation.RequiredValue("consent.shareWithLawEnforcement", body.Consent.ShareWithLawEnforcement);
        }

        validation.OptionalId("caseRef", body.CaseRef);
        if (!validation.IsValid)
        {
            return null;
        }

        var grievance = new Grievance(
            body.GrievanceId!, body.ReceivedAt!.Value, allegations, categories, body.WorkersAffected!.Value, evidence,
            body.ImminentDanger ?? false, body.ChildInvolved ?? false, GrievanceStatus.Received, null, null, null, false, body.CaseRef);

        // The engine's own check, last: what it would quarantine is refused here.
        if (DomainLimits.CheckFields(grievance) is { } failure)
        {
            validation.Add(failure.Field, failure.Reason);
            return null;
        }

        return grievance;
    }
}

public sealed class SubmitGrievanceHandler(EvidenceSubmitter submitter, ServiceClock clock)
    : IRequestHandler<SubmitGrievance, CommandResult<SubmissionReceipt>>
{
    public async ValueTask<CommandResult<SubmissionReceipt>> Handle(SubmitGrievance request, CancellationToken cancellationToken)
    {
        var validation = new Validation();
        var signal = SubmitGrievanceValidator.Prepare(request.Body, clock.Now, validation);
        return signal is null
            ? CommandResult<SubmissionReceipt>.From(validation)
            : (await submitter.SubmitAsync(signal, cancellationToken)).ToCommandResult(signal);
    }

    public static string GrievanceKey(string grievanceId) => IdempotencyKeys.Grievance(grievanceId);
}

using System.Text.Json;
using System.Text.Json.Nodes;
using SupplyChainWatch.Api.Features.Shared;
using SupplyChainWatch.Contracts;
using SupplyChainWatch.Domain;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Api.Features.Referrals;

/// <summary>Who a referral package is for.</summary>
public enum RecipientType
{
    Ngo,
    LawEnforcement,
    LegalService,
    LabourInspectorate,
}

/// <summary>Why a package may go to an authority without every worker's consent.</summary>
public enum SafetyOverrideKind
{
    ImminentDanger,
    Child,
}

/// <summary>One grievance of a case and what its worker agreed to share.</summary>
public sealed record CaseGrievance(string GrievanceId, EvidenceContent.GrievanceConsent Consent)
{
    public bool ImminentDanger { get; init; }

    public bool ChildInvolved { get; init; }
}

/// <summary>What the rules need to know about a case, read from its evidence-log rows.</summary>
public sealed record CaseFacts(string CaseId, IReadOnlyList<EvidenceRow> Rows, IReadOnlyList<CaseGrievance> Grievances, bool ImminentDanger, bool ChildInvolved)
{
    /// <summary>The grievance a row tells about (the grievance or one of its status changes); null for other rows.</summary>
    public IReadOnlyDictionary<long, string> GrievanceOfRow { get; init; } = new Dictionary<long, string>();

    /// <summary>The flags the case's findings carry (a grievance's own flags are in <see cref="Grievances"/>).</summary>
    public bool FindingImminentDanger { get; init; }

    public bool FindingChildInvolved { get; init; }
}

/// <summary>Whether a package may be built, and which grievances it must redact.</summary>
public sealed record ReferralDecision(string? RefusalReason, IReadOnlySet<string> RedactedGrievances, bool OverrideApplied)
{
    public bool Allowed => RefusalReason is null;
}

/// <summary>
/// The pure rules of referral packages: which evidence-log rows form a case (the grouping of rule FL-1: an audit, a
/// grievance, a fee report, or every signal sharing a caseRef on the subject, each with its later status changes) and what
/// consent allows. Authorities (law enforcement, labour inspectorates) get a package only when every grievance of the
/// case consents to sharing with them, or under a safety override for a case that carries the matching flag; whatever
/// was not consented to is redacted in every package, override or not: the override lets the authority learn of the
/// case and act, it does not hand over a worker's account against their will.
/// </summary>
public static class ReferralRules
{
    public static readonly string[] CasePrefixes = ["audit:", "grievance:", "ref:", "fee-report:"];

    /// <summary>Why an item is withheld although its worker consented: see <see cref="CarriesConfidentialDigest"/>.</summary>
    public const string DigestRedactionReason = "recorded before schema version 8 with an unsalted digest of the worker's confidential text: hashes only";

    /// <summary>
    /// Whether an evidence-log row's content carries a digest of a grievance's narrative and contact: grievance rows
    /// written before schema version 8 do (an unsalted SHA-256, which a small space such as phone numbers reverses by
    /// guessing). The row hash covers that content, so it stays in the log; packages give such a row's hashes only,
    /// whoever it is for. Content that cannot be read counts as carrying one.
    /// </summary>
    public static bool CarriesConfidentialDigest(string kind, string contentJson)
    {
        if (kind != EvidenceKinds.Grievance)
        {
            return false;
        }

        try
        {
            return EvidenceJson.Deserialize<EvidenceContent.Grievance>(contentJson).ConfidentialDigest is not null;
        }
        catch (Exception exception) when (exception is JsonException or NotSupportedException or ArgumentException)
        {
            return true;
        }
    }

    /// <summary>
    /// A stored package (built before version 8) as it may be shown now: the content of items that carry a digest of
    /// confidential text is withheld, exactly as a package built today would withhold it. Reading and verifying both
    /// pass the stored copy through this, so a package read back still verifies.
    /// </summary>
    public static JsonObject WithholdConfidentialDigests(JsonObject package)
    {
        ArgumentNullException.ThrowIfNull(package);
        if (package["items"] is not JsonArray items)
        {
            return package;
        }

        foreach (var item in items.OfType<JsonObject>())
        {
            if (item["kind"]?.GetValueKind() == JsonValueKind.String && item["contentJson"]?.GetValueKind() == JsonValueKind.String
                && CarriesConfidentialDigest(item["kind"]!.GetValue<string>(), item["contentJson"]!.GetValue<string>()))
            {
                item["contentJson"] = null;
                item["redacted"] = true;
                item["redactionReason"] = DigestRedactionReason;
            }
        }

        return package;
    }

    public static bool IsAuthority(RecipientType recipient) => recipient is RecipientType.LawEnforcement or RecipientType.LabourInspectorate;

    /// <summary>The audience of <see cref="ConsentRules"/> a package for this recipient goes to.</summary>
    public static DisclosureAudience Audience(RecipientType recipient) => IsAuthority(recipient) ? DisclosureAudience.LawEnforcement : DisclosureAudience.Ngo;

    /// <summary>Whether the worker agreed to share with this kind of recipient (the one rule, <see cref="ConsentRules"/>).</summary>
    public static bool Consents(EvidenceContent.GrievanceConsent consent, RecipientType recipient)
    {
        ArgumentNullException.ThrowIfNull(consent);
        return !ConsentRules.For(new GrievanceConsent(consent.ShareWithBrand, consent.ShareWithNgo, consent.ShareWithLawEnforcement), Audience(recipient)).Withheld;
    }

    /// <summary>
    /// The case's flags as a package for this recipient shows them: those of its findings and of the grievances whose
    /// workers consented, and the flag a safety override was granted on (the override itself names it).
    /// </summary>
    public static (bool ImminentDanger, bool ChildInvolved) ShownFlags(CaseFacts facts, ReferralDecision decision, SafetyOverrideKind? safetyOverride)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(decision);
        var shown = facts.Grievances.Where(g => !decision.RedactedGrievances.Contains(g.GrievanceId)).ToArray();
        return (
            facts.FindingImminentDanger || shown.Any(g => g.ImminentDanger) || (decision.OverrideApplied && safetyOverride == SafetyOverrideKind.ImminentDanger),
            facts.FindingChildInvolved || shown.Any(g => g.ChildInvolved) || (decision.OverrideApplied && safetyOverride == SafetyOverrideKind.Child));
    }

    /// <summary>The rows of one case of a subject, with the facts consent and overrides depend on; null when no row is in it.</summary>
    public static CaseFacts? Collect(IReadOnlyList<EvidenceRow> subjectRows, string caseId)
    {
        ArgumentNullException.ThrowIfNull(subjectRows);
        var findingCase = new Dictionary<string, string>(StringComparer.Ordinal);
        var grievanceCase = new Dictionary<string, string>(StringComparer.Ordinal);
        var rows = new List<EvidenceRow>();
        var grievances = new List<CaseGrievance>();
        var grievanceOfRow = new Dictionary<long, string>();
        bool imminentDanger = false, childInvolved = false, findingDanger = false, findingChild = false;
        foreach (var row in subjectRows.OrderBy(r => r.SubjectSeq))
        {
            string? rowCase = null;
            switch (row.Kind)
            {
                case EvidenceKinds.Finding:
                    {
                        var finding = EvidenceJson.Deserialize<EvidenceContent.Finding>(row.ContentJson).Detail;
                        rowCase = finding.CaseRef is { Length: > 0 } caseRef ? "ref:" + caseRef : "audit:" + finding.AuditId;
                        findingCase[finding.SignalId] = rowCase;
                        if (rowCase == caseId)
                        {
                            findingChild |= finding.Category == FindingCategory.ChildLabour;
                            findingDanger |= finding.Severity == Severity.ZeroTolerance && finding.Category == FindingCategory.HealthSafety;
                            childInvolved |= findingChild;
                            imminentDanger |= findingDanger;
                        }

                        break;
                    }

                case EvidenceKinds.FindingStatus:
                    {
                        var change = EvidenceJson.Deserialize<EvidenceContent.FindingStatusChange>(row.ContentJson);
                        rowCase = findingCase.GetValueOrDefault(change.AuditId + "/" + change.FindingId);
                        break;
                    }

                case EvidenceKinds.Grievance:
                    {
                        var grievance = EvidenceJson.Deserialize<EvidenceContent.Grievance>(row.ContentJson);
                        var detail = grievance.Detail;
                        rowCase = detail.CaseRef is { Length: > 0 } caseRef ? "ref:" + caseRef : "grievance:" + detail.GrievanceId;
                        grievanceCase[detail.GrievanceId] = rowCase;
                        if (rowCase == caseId)
                        {
                            grievances.Add(new CaseGrievance(detail.GrievanceId, grievance.Consent) { ImminentDanger = detail.ImminentDanger, ChildInvolved = detail.ChildInvolved });
                            grievanceOfRow[row.SubjectSeq] = detail.GrievanceId;
                            imminentDanger |= detail.ImminentDanger;
                            childInvolved |= detail.ChildInvolved;
                        }

                        break;
                    }

                case EvidenceKinds.GrievanceStatus:
                    {
                        var change = EvidenceJson.Deserialize<EvidenceContent.GrievanceStatusChange>(row.ContentJson);
                        rowCase = grievanceCase.GetValueOrDefault(change.GrievanceId);
                        if (rowCase == caseId)
                        {
                            grievanceOfRow[row.SubjectSeq] = change.GrievanceId;
                        }

                        break;
                    }

                case EvidenceKinds.FeeReport:
                    rowCase = "fee-report:" + EvidenceJson.Deserialize<EvidenceContent.FeeReport>(row.ContentJson).Detail.ReportId;
                    break;
            }

            if (rowCase == caseId)
            {
                rows.Add(row);
            }
        }

        return rows.Count == 0 ? null : new CaseFacts(caseId, rows, grievances, imminentDanger, childInvolved)
        {
            GrievanceOfRow = grievanceOfRow,
            FindingImminentDanger = findingDanger,
            FindingChildInvolved = findingChild,
        };
    }

    public static ReferralDecision Decide(CaseFacts facts, RecipientType recipient, SafetyOverrideKind? safetyOverride)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var unconsented = facts.Grievances.Where(g => !Consents(g.Consent, recipient)).Select(g => g.GrievanceId).ToHashSet(StringComparer.Ordinal);
        if (!IsAuthority(recipient) || unconsented.Count == 0)
        {
            return new ReferralDecision(null, unconsented, OverrideApplied: false);
        }

        var recipientName = Validation.KebabCase(recipient);
        if (safetyOverride is null)
        {
            return new ReferralDecision(
                $"Sharing with {recipientName} needs consent.shareWithLawEnforcement on every grievance of case '{facts.CaseId}'; " +
                $"{string.Join(", ", unconsented.Order(StringComparer.Ordinal))} lack it. A safety override is possible only for a case that carries imminentDanger or childInvolved.",
                unconsented, OverrideApplied: false);
        }

        var flagged = safetyOverride == SafetyOverrideKind.ImminentDanger ? facts.ImminentDanger : facts.ChildInvolved;
        if (!flagged)
        {
            var flag = safetyOverride == SafetyOverrideKind.ImminentDanger ? "imminentDanger" : "childInvolved";
            return new ReferralDecision(
                $"A safety override of kind '{Validation.KebabCase(safetyOverride.Value)}' applies only to a case that carries {flag}; case '{facts.CaseId}' does not, " +
                $"and {string.Join(", ", unconsented.Order(StringComparer.Ordinal))} lack consent to share with {recipientName}.",
                unconsented, OverrideApplied: false);
        }

        return new ReferralDecision(null, unconsented, OverrideApplied: true);
    }
}

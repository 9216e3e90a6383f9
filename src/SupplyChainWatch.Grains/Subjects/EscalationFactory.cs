using System.Text.Json;
using SupplyChainWatch.Contracts;
using SupplyChainWatch.Domain;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Grains.Subjects;

/// <summary>
/// Turns the risk engine's escalation drafts into stored events. Ids stay deterministic so that a replay
/// after a crash produces the same ids and the store ignores them:
/// evidence-driven events are keyed by subject + log sequence (+ revision for pushed changes), time-driven band
/// changes add the day, and overdue events are keyed by their grievance or finding alone (they happen once).
/// An overdue event stays due at every later evaluation; callers pass the ids they already stored so that each is built
/// and written once per activation rather than at every turn (a fresh subject with a few years of findings had about
/// twenty of them, re-written by each turn: most of a bulk import's catch-up time).
/// </summary>
public static class EscalationFactory
{
    /// <remarks>
    /// The first <c>derived</c> events come from the change between the two evaluations: their ids depend on the
    /// sequence number they were derived at. The rest are overdue events, whose ids do not, so replaying those anywhere is
    /// harmless. <paramref name="explain"/> builds the full current evaluation; it is called only when the bases say a
    /// change event may be due (<see cref="RiskBasis.MayEscalate"/>) or an event must be redacted for an audience the
    /// worker's consent restricts, which most signals do not need. <paramref name="grievances"/> and
    /// <paramref name="findings"/> are the candidates for overdue events: every one when a day may have passed since the
    /// last look, otherwise those the rows just applied touched.
    /// </remarks>
    public static IReadOnlyList<StoredEscalation> ForEvidence(
        string subjectKey, long subjectSeq, long revision, RiskBasis? previous, RiskBasis current, Func<RiskEvaluation> explain,
        IEnumerable<Grievance> grievances, IEnumerable<AuditFinding> findings, SubjectDocument document, Func<IReadOnlyList<string>> linkedSupplierIds, RiskModel model,
        DateTimeOffset now, SubjectSummary subject, IReadOnlySet<string> overdueAlreadyStored, IReadOnlyCollection<string> newlyLinkedSupplierIds, out int derived)
    {
        ArgumentNullException.ThrowIfNull(linkedSupplierIds);
        var evaluation = Once(explain);
        var events = RiskBasis.MayEscalate(previous, current, newlyLinkedSupplierIds.Count > 0)
            ? Requalify(EscalationRules.DeriveFrom(subjectKey, subjectSeq, previous, evaluation(), linkedSupplierIds(), model, newlyLinkedSupplierIds),
                subjectKey, subjectSeq, revision == 0 ? null : $"r{revision}", subject, document, evaluation)
            : [];
        derived = events.Count;
        events.AddRange(Overdue(subjectKey, subjectSeq, current, evaluation, grievances, findings, document, model, now, subject, overdueAlreadyStored));
        return events;
    }

    /// <remarks>As <see cref="ForEvidence"/>: the first <c>derived</c> events are band changes, the rest overdue events.</remarks>
    public static IReadOnlyList<StoredEscalation> ForTimeCheck(
        string subjectKey, long subjectSeq, long revision, RiskBasis? previous, RiskBasis current, Func<RiskEvaluation> explain,
        IEnumerable<Grievance> grievances, IEnumerable<AuditFinding> findings, SubjectDocument document, Func<IReadOnlyList<string>> linkedSupplierIds, RiskModel model,
        DateTimeOffset now, SubjectSummary subject, IReadOnlySet<string> overdueAlreadyStored, out int derived)
    {
        ArgumentNullException.ThrowIfNull(linkedSupplierIds);
        var evaluation = Once(explain);
        var events = RiskBasis.MayEscalate(previous, current, false)
            ? Requalify(EscalationRules.DeriveFrom(subjectKey, subjectSeq, previous, evaluation(), linkedSupplierIds(), model), subjectKey, subjectSeq,
                $"r{revision}.d{now:yyyyMMdd}", subject, document, evaluation)
            : [];
        derived = events.Count;
        events.AddRange(Overdue(subjectKey, subjectSeq, current, evaluation, grievances, findings, document, model, now, subject, overdueAlreadyStored));
        return events;
    }

    /// <summary>The full evaluation built at most once per turn, and only if something asks for it.</summary>
    private static Func<RiskEvaluation> Once(Func<RiskEvaluation> explain)
    {
        ArgumentNullException.ThrowIfNull(explain);
        RiskEvaluation? built = null;
        return () => built ??= explain();
    }

    private static List<StoredEscalation> Requalify(IReadOnlyList<EscalationDraft> drafts, string subjectKey, long subjectSeq, string? qualifier, SubjectSummary subject,
        SubjectDocument document, Func<RiskEvaluation> current)
    {
        var prefix = $"{subjectKey}:{subjectSeq}:";
        return [.. drafts.Select(d => Store(WithoutRestrictedCaseId(qualifier is not null && d.EventId.StartsWith(prefix, StringComparison.Ordinal)
            ? d with { EventId = $"{subjectKey}:{subjectSeq}.{qualifier}:{d.EventId[prefix.Length..]}" }
            : d, document), subject, document, current))];
    }

    /// <summary>
    /// An event id ending in the case id of a grievance some audience may not identify names the grievance's log row
    /// instead (ids are shown to every reader of the event, and stay deterministic this way).
    /// </summary>
    private static EscalationDraft WithoutRestrictedCaseId(EscalationDraft draft, SubjectDocument document)
    {
        const string grievanceCase = "grievance:";
        if (draft.Payload.CaseId is { } caseId && caseId.StartsWith(grievanceCase, StringComparison.Ordinal)
            && draft.EventId.EndsWith(":" + caseId, StringComparison.Ordinal))
        {
            var key = GrievanceEventKey(document, caseId[grievanceCase.Length..]);
            return draft with { EventId = draft.EventId[..^caseId.Length] + (key == caseId[grievanceCase.Length..] ? caseId : "grievance-" + key) };
        }

        return draft;
    }

    /// <summary>How event ids name a grievance: by its id, or by its log row when some audience may not identify it.</summary>
    private static string GrievanceEventKey(SubjectDocument document, string grievanceId) =>
        ConsentRules.IsRestricted(document.GrievanceConsents.GetValueOrDefault(grievanceId))
            ? "row-" + (document.GrievanceSeqs.TryGetValue(grievanceId, out var seq) ? seq.ToString(System.Globalization.CultureInfo.InvariantCulture) : "unknown")
            : grievanceId;

    private static IEnumerable<StoredEscalation> Overdue(string subjectKey, long subjectSeq, RiskBasis current, Func<RiskEvaluation> evaluation,
        IEnumerable<Grievance> grievances, IEnumerable<AuditFinding> findings, SubjectDocument document, RiskModel model, DateTimeOffset now,
        SubjectSummary subject, IReadOnlySet<string> alreadyStored)
    {
        foreach (var grievance in grievances)
        {
            var eventId = OverdueEventId(subjectKey, EscalationType.GrievanceAcknowledgementOverdue, GrievanceEventKey(document, grievance.GrievanceId));
            if (!alreadyStored.Contains(eventId) && Deadlines.IsGrievanceAcknowledgementOverdue(grievance, model, now))
            {
                var draft = EscalationRules.GrievanceAcknowledgementOverdue(subjectKey, subjectSeq, grievance, current, now);
                yield return Store(draft with { EventId = eventId }, subject, document, evaluation);
            }
        }

        foreach (var finding in Deadlines.OverdueCorrectiveActions(findings, now))
        {
            var eventId = OverdueEventId(subjectKey, EscalationType.CorrectiveActionOverdue, finding.SignalId);
            if (!alreadyStored.Contains(eventId))
            {
                var draft = EscalationRules.CorrectiveActionOverdue(subjectKey, subjectSeq, finding, current, now);
                yield return Store(draft with { EventId = eventId }, subject, document, evaluation);
            }
        }
    }

    /// <summary>
    /// Ids of overdue events the evidence now disproves (the deadline was met by the dates the signals carry) and not
    /// yet withdrawn by this activation. Such an event was raised when the late-loaded grievance or finding arrived
    /// before the status change that met its deadline; withdrawing an id that was never stored changes nothing. Only
    /// the signals touched by the rows just applied are looked at: nothing else can have changed its deadline's fate.
    /// </summary>
    public static IReadOnlyList<string> Withdrawals(
        string subjectKey, IReadOnlyList<AuditFinding> changedFindings, IReadOnlyList<Grievance> changedGrievances, RiskModel model, IReadOnlySet<string> alreadyWithdrawn,
        SubjectDocument document)
    {
        List<string>? ids = null;
        foreach (var grievance in changedGrievances)
        {
            if (Deadlines.WasGrievanceAcknowledgedInTime(grievance, model))
            {
                Add(OverdueEventId(subjectKey, EscalationType.GrievanceAcknowledgementOverdue, GrievanceEventKey(document, grievance.GrievanceId)));
            }
        }

        foreach (var finding in changedFindings)
        {
            if (Deadlines.WasCorrectiveActionCompletedInTime(finding))
            {
                Add(OverdueEventId(subjectKey, EscalationType.CorrectiveActionOverdue, finding.SignalId));
            }
        }

        return ids is null ? [] : ids;

        void Add(string id)
        {
            if (!alreadyWithdrawn.Contains(id))
            {
                (ids ??= []).Add(id);
            }
        }
    }

    private static string OverdueEventId(string subjectKey, EscalationType type, string signalId) => $"{subjectKey}:{EscalationEventNames.Of(type)}:{signalId}";

    /// <summary>
    /// The event's data: the draft's payload, its sequence number and due time, and the subject's country and sector (as
    /// the read model spells them), so that webhook subscriptions can filter on them when the outbox rows are written.
    /// Stored twice over, as each audience may see it (<see cref="ConsentRules"/>): the escalation list's copy for the
    /// brand's side (compliance, admin) and the webhook deliveries' copy for NGOs. The full evaluation is built only when
    /// some grievance is withheld from an audience (redaction needs its cases).
    /// </summary>
    private static StoredEscalation Store(EscalationDraft draft, SubjectSummary subject, SubjectDocument document, Func<RiskEvaluation> current)
    {
        var consents = document.Consents();
        var brand = Data(draft, Redact(draft.Payload, current, ConsentRules.Withheld(consents, DisclosureAudience.Brand)), subject);
        var ngo = Data(draft, Redact(draft.Payload, current, ConsentRules.Withheld(consents, DisclosureAudience.Ngo)), subject);
        return new StoredEscalation(draft.EventId, draft.EventName, draft.SubjectId, draft.SubjectSeq, draft.OccurredAt, brand) { WebhookPayloadJson = ngo == brand ? null : ngo };
    }

    private static EscalationPayload Redact(EscalationPayload payload, Func<RiskEvaluation> current, IReadOnlySet<string> withheld) =>
        withheld.Count == 0 ? payload : ConsentRules.Redact(payload, current(), withheld);

    private static string Data(EscalationDraft draft, EscalationPayload payload, SubjectSummary subject)
    {
        var data = JsonSerializer.SerializeToNode(payload, EvidenceJson.Options)!.AsObject();
        data["subjectSeq"] = draft.SubjectSeq;
        if (draft.DueBy is { } dueBy)
        {
            data["dueBy"] = dueBy;
        }

        data["country"] = subject.Country;
        data["sector"] = subject.Sector;
        return data.ToJsonString(EvidenceJson.Options);
    }
}

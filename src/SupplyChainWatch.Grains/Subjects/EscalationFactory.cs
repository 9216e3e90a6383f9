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
    /// change event may be due (<see cref="RiskBasis.MayEscalate"/>), which most signals do not make.
    /// <paramref name="grievances"/> and <paramref name="findings"/> are the candidates for overdue events: every one
    /// when a day may have passed since the last look, otherwise those the rows just applied touched.
    /// </remarks>
    public static IReadOnlyList<StoredEscalation> ForEvidence(
        string subjectKey, long subjectSeq, long revision, RiskBasis? previous, RiskBasis current, Func<RiskEvaluation> explain,
        IEnumerable<Grievance> grievances, IEnumerable<AuditFinding> findings, Func<IReadOnlyList<string>> linkedSupplierIds, RiskModel model, DateTimeOffset now,
        SubjectSummary subject, IReadOnlySet<string> overdueAlreadyStored, IReadOnlyCollection<string> newlyLinkedSupplierIds, out int derived)
    {
        ArgumentNullException.ThrowIfNull(explain);
        ArgumentNullException.ThrowIfNull(linkedSupplierIds);
        var events = RiskBasis.MayEscalate(previous, current, newlyLinkedSupplierIds.Count > 0)
            ? Requalify(EscalationRules.DeriveFrom(subjectKey, subjectSeq, previous, explain(), linkedSupplierIds(), model, newlyLinkedSupplierIds),
                subjectKey, subjectSeq, revision == 0 ? null : $"r{revision}", subject)
            : [];
        derived = events.Count;
        events.AddRange(Overdue(subjectKey, subjectSeq, current, grievances, findings, model, now, subject, overdueAlreadyStored));
        return events;
    }

    /// <remarks>As <see cref="ForEvidence"/>: the first <c>derived</c> events are band changes, the rest overdue events.</remarks>
    public static IReadOnlyList<StoredEscalation> ForTimeCheck(
        string subjectKey, long subjectSeq, long revision, RiskBasis? previous, RiskBasis current, Func<RiskEvaluation> explain,
        IEnumerable<Grievance> grievances, IEnumerable<AuditFinding> findings, Func<IReadOnlyList<string>> linkedSupplierIds, RiskModel model, DateTimeOffset now,
        SubjectSummary subject, IReadOnlySet<string> overdueAlreadyStored, out int derived)
    {
        ArgumentNullException.ThrowIfNull(explain);
        ArgumentNullException.ThrowIfNull(linkedSupplierIds);
        var events = RiskBasis.MayEscalate(previous, current, false)
            ? Requalify(EscalationRules.DeriveFrom(subjectKey, subjectSeq, previous, explain(), linkedSupplierIds(), model), subjectKey, subjectSeq, $"r{revision}.d{now:yyyyMMdd}", subject)
            : [];
        derived = events.Count;
        events.AddRange(Overdue(subjectKey, subjectSeq, current, grievances, findings, model, now, subject, overdueAlreadyStored));
        return events;
    }

    private static List<StoredEscalation> Requalify(IReadOnlyList<EscalationDraft> drafts, string subjectKey, long subjectSeq, string? qualifier, SubjectSummary subject)
    {
        var prefix = $"{subjectKey}:{subjectSeq}:";
        return [.. drafts.Select(d => Store(qualifier is not null && d.EventId.StartsWith(prefix, StringComparison.Ordinal)
            ? d with { EventId = $"{subjectKey}:{subjectSeq}.{qualifier}:{d.EventId[prefix.Length..]}" }
            : d, subject))];
    }

    private static IEnumerable<StoredEscalation> Overdue(string subjectKey, long subjectSeq, RiskBasis current, IEnumerable<Grievance> grievances, IEnumerable<AuditFinding> findings,
        RiskModel model, DateTimeOffset now, SubjectSummary subject, IReadOnlySet<string> alreadyStored)
    {
        foreach (var grievance in grievances)
        {
            var eventId = OverdueEventId(subjectKey, EscalationType.GrievanceAcknowledgementOverdue, grievance.GrievanceId);
            if (!alreadyStored.Contains(eventId) && Deadlines.IsGrievanceAcknowledgementOverdue(grievance, model, now))
            {
                var draft = EscalationRules.GrievanceAcknowledgementOverdue(subjectKey, subjectSeq, grievance, current, now);
                yield return Store(draft with { EventId = eventId }, subject);
            }
        }

        foreach (var finding in Deadlines.OverdueCorrectiveActions(findings, now))
        {
            var eventId = OverdueEventId(subjectKey, EscalationType.CorrectiveActionOverdue, finding.SignalId);
            if (!alreadyStored.Contains(eventId))
            {
                var draft = EscalationRules.CorrectiveActionOverdue(subjectKey, subjectSeq, finding, current, now);
                yield return Store(draft with { EventId = eventId }, subject);
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
        string subjectKey, IReadOnlyList<AuditFinding> changedFindings, IReadOnlyList<Grievance> changedGrievances, RiskModel model, IReadOnlySet<string> alreadyWithdrawn)
    {
        List<string>? ids = null;
        foreach (var grievance in changedGrievances)
        {
            if (Deadlines.WasGrievanceAcknowledgedInTime(grievance, model))
            {
                Add(OverdueEventId(subjectKey, EscalationType.GrievanceAcknowledgementOverdue, grievance.GrievanceId));
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
    /// </summary>
    private static StoredEscalation Store(EscalationDraft draft, SubjectSummary subject)
    {
        var data = JsonSerializer.SerializeToNode(draft.Payload, EvidenceJson.Options)!.AsObject();
        data["subjectSeq"] = draft.SubjectSeq;
        if (draft.DueBy is { } dueBy)
        {
            data["dueBy"] = dueBy;
        }

        data["country"] = subject.Country;
        data["sector"] = subject.Sector;

        return new StoredEscalation(draft.EventId, draft.EventName, draft.SubjectId, draft.SubjectSeq, draft.OccurredAt, data.ToJsonString(EvidenceJson.Options));
    }
}

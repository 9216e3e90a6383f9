namespace SupplyChainWatch.Domain;

/// <summary>
/// What an escalation event carries: identifiers, scores, bands, classifications, triggers and indicator codes.
/// Never a worker's identity, a grievance narrative or contact details (the engine never sees them anyway).
/// </summary>
public sealed record EscalationPayload(
    string SubjectId,
    int Score,
    RiskBand Band,
    int? PreviousScore,
    RiskBand? PreviousBand,
    ForcedLabourClassification ForcedLabour,
    string? CaseId,
    ForcedLabourClassification? CaseClassification,
    string? SupplierId,
    IReadOnlyList<ZeroToleranceTrigger> Triggers,
    IReadOnlyList<string> SignalIds,
    IReadOnlyList<IndicatorCode> IndicatorCodes,
    string ModelVersion);

/// <summary>An escalation event to put in the outbox; <see cref="EventId"/> is deterministic, so replays never duplicate.</summary>
public sealed record EscalationDraft(
    string EventId,
    EscalationType Type,
    string EventName,
    string SubjectId,
    long SubjectSeq,
    DateTimeOffset OccurredAt,
    DateTimeOffset? DueBy,
    EscalationPayload Payload);

/// <summary>Wire names of escalation events (risk-model.md §7).</summary>
public static class EscalationEventNames
{
    public static string Of(EscalationType type) => type switch
    {
        EscalationType.RiskBandChanged => "risk.band_changed",
        EscalationType.ForcedLabourIndicated => "forced_labour.indicated",
        EscalationType.CaseEscalated => "case.escalated",
        EscalationType.RecruiterHighRiskLinked => "recruiter.high_risk_linked",
        EscalationType.GrievanceAcknowledgementOverdue => "grievance.acknowledgement_overdue",
        EscalationType.CorrectiveActionOverdue => "corrective_action.overdue",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };
}

/// <summary>The escalation events a change of evaluation implies (risk-model.md §7). Pure: same inputs, same drafts, same ids.</summary>
public static class EscalationRules
{
    /// <summary>
    /// Drafts for the change from <paramref name="previous"/> (null: first evaluation, treated as band low with no
    /// cases and no triggers) to <paramref name="current"/>. <paramref name="linkedSupplierIds"/> are the suppliers a
    /// recruiter places workers with (empty for suppliers). Pass <paramref name="model"/> to set the 24-hour due time
    /// of <c>case.escalated</c> (zeroTolerance.caseEscalationDueHours); without it <c>DueBy</c> is null.
    /// <paramref name="newlyLinkedSupplierIds"/> are suppliers that started placing workers with this recruiter in this
    /// evaluation: linking to a recruiter already high or critical is as much news to that supplier as a recruiter
    /// crossing the band.
    /// </summary>
    public static IReadOnlyList<EscalationDraft> Derive(
        string subjectId,
        long subjectSeq,
        RiskEvaluation? previous,
        RiskEvaluation current,
        IReadOnlyList<string> linkedSupplierIds,
        RiskModel? model = null,
        IReadOnlyCollection<string>? newlyLinkedSupplierIds = null)
    {
        ArgumentNullException.ThrowIfNull(subjectId);
        ArgumentNullException.ThrowIfNull(current);
        linkedSupplierIds ??= [];
        var drafts = new List<EscalationDraft>();
        var previousBand = previous?.Band ?? RiskBand.Low;
        var at = current.EvaluatedAt;

        EscalationPayload Payload(string? caseId = null, ForcedLabourClassification? caseClassification = null, string? supplierId = null,
            IReadOnlyList<ZeroToleranceTrigger>? triggers = null, IReadOnlyList<string>? signalIds = null, IReadOnlyList<IndicatorCode>? codes = null) =>
            new(subjectId, current.Score, current.Band, previous?.Score, previous?.Band, current.ForcedLabour, caseId, caseClassification, supplierId,
                triggers ?? [], signalIds ?? [], codes ?? [], current.ModelVersion);

        string Id(EscalationType type, string? qualifier = null) =>
            qualifier is null
                ? $"{subjectId}:{subjectSeq}:{EscalationEventNames.Of(type)}"
                : $"{subjectId}:{subjectSeq}:{EscalationEventNames.Of(type)}:{qualifier}";

        void Add(EscalationType type, string id, DateTimeOffset? dueBy, EscalationPayload payload) =>
            drafts.Add(new EscalationDraft(id, type, EscalationEventNames.Of(type), subjectId, subjectSeq, at, dueBy, payload));

        if (current.Band != previousBand)
        {
            Add(EscalationType.RiskBandChanged, Id(EscalationType.RiskBandChanged), null, Payload());
        }

        // A case "becomes" indicated (or indicated-unverified) when its classification rises to one of them.
        var previousCases = previous?.Cases.ToDictionary(c => c.CaseId, c => c.Classification, StringComparer.Ordinal)
            ?? new Dictionary<string, ForcedLabourClassification>(StringComparer.Ordinal);
        foreach (var @case in current.Cases)
        {
            if (@case.Classification is not (ForcedLabourClassification.Indicated or ForcedLabourClassification.IndicatedUnverified))
            {
                continue;
            }

            var before = previousCases.GetValueOrDefault(@case.CaseId, ForcedLabourClassification.None);
            if (@case.Classification > before)
            {
                var codes = @case.Involuntariness.Concat(@case.MenaceOfPenalty).Select(o => o.Code).Distinct().ToArray();
                Add(EscalationType.ForcedLabourIndicated, Id(EscalationType.ForcedLabourIndicated, @case.CaseId), null,
                    Payload(@case.CaseId, @case.Classification, signalIds: @case.SignalIds, codes: codes));
            }
        }

        // case.escalated: newly critical, or a floor-bearing zero-tolerance trigger not present before.
        var previousHits = previous?.ZeroTolerance.Select(h => (h.Trigger, h.SignalId)).ToHashSet() ?? [];
        var newHits = current.ZeroTolerance.Where(h => !previousHits.Contains((h.Trigger, h.SignalId))).ToArray();
        var newlyCritical = current.Band == RiskBand.Critical && previousBand != RiskBand.Critical;
        if (newlyCritical || newHits.Length > 0)
        {
            DateTimeOffset? dueBy = model is null ? null : at.AddHours(model.ZeroTolerance.CaseEscalationDueHours);
            Add(EscalationType.CaseEscalated, Id(EscalationType.CaseEscalated), dueBy,
                Payload(triggers: newHits.Select(h => h.Trigger).Distinct().ToArray(),
                    signalIds: newHits.Select(h => h.SignalId).Distinct(StringComparer.Ordinal).ToArray(),
                    codes: newHits.SelectMany(h => h.IndicatorCodes).Distinct().ToArray()));
        }

        // recruiter.high_risk_linked: a recruiter reaching high or critical, once per supplier it places workers with.
        if (current.Band >= RiskBand.High && previousBand < RiskBand.High)
        {
            foreach (var supplierId in linkedSupplierIds.Distinct(StringComparer.Ordinal))
            {
                Add(EscalationType.RecruiterHighRiskLinked, Id(EscalationType.RecruiterHighRiskLinked, supplierId), null, Payload(supplierId: supplierId));
            }
        }
        else if (current.Band >= RiskBand.High && newlyLinkedSupplierIds is { Count: > 0 })
        {
            // Already high before this evaluation: only the suppliers that just linked learn of it (the id names the
            // link's sequence number, so a replay derives it again and the store ignores it).
            foreach (var supplierId in newlyLinkedSupplierIds.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                Add(EscalationType.RecruiterHighRiskLinked, Id(EscalationType.RecruiterHighRiskLinked, supplierId), null, Payload(supplierId: supplierId));
            }
        }

        return drafts;
    }

    /// <summary><c>grievance.acknowledgement_overdue</c> for a grievance past its acknowledgement deadline (the grain decides when to ask).</summary>
    public static EscalationDraft GrievanceAcknowledgementOverdue(string subjectId, long subjectSeq, Grievance grievance, RiskEvaluation current, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(grievance);
        ArgumentNullException.ThrowIfNull(current);
        var type = EscalationType.GrievanceAcknowledgementOverdue;
        return new EscalationDraft($"{subjectId}:{subjectSeq}:{EscalationEventNames.Of(type)}:{grievance.GrievanceId}", type, EscalationEventNames.Of(type), subjectId, subjectSeq, at, null,
            new EscalationPayload(subjectId, current.Score, current.Band, null, null, current.ForcedLabour, null, null, null, [], [grievance.GrievanceId], [], current.ModelVersion));
    }

    /// <summary><c>corrective_action.overdue</c> for one overdue major-or-worse finding.</summary>
    public static EscalationDraft CorrectiveActionOverdue(string subjectId, long subjectSeq, AuditFinding finding, RiskEvaluation current, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(finding);
        ArgumentNullException.ThrowIfNull(current);
        var type = EscalationType.CorrectiveActionOverdue;
        return new EscalationDraft($"{subjectId}:{subjectSeq}:{EscalationEventNames.Of(type)}:{finding.SignalId}", type, EscalationEventNames.Of(type), subjectId, subjectSeq, at, null,
            new EscalationPayload(subjectId, current.Score, current.Band, null, null, current.ForcedLabour, null, null, null, [], [finding.SignalId],
                finding.Indicators.Select(i => i.Code).Distinct().ToArray(), current.ModelVersion));
    }
}

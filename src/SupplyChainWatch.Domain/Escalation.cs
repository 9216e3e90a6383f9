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
        IReadOnlyCollection<string>? newlyLinkedSupplierIds = null) =>
        DeriveFrom(subjectId, subjectSeq, previous is null ? null : RiskBasis.Of(previous), current, linkedSupplierIds, model, newlyLinkedSupplierIds);

    /// <summary>
    /// As <see cref="Derive"/>, from the compact <see cref="RiskBasis"/> of the previous evaluation (all the rules compare
    /// with it), so a grain keeps that basis between signals rather than a whole evaluation.
    /// </summary>
    public static IReadOnlyList<EscalationDraft> DeriveFrom(
        string subjectId,
        long subjectSeq,
        RiskBasis? previous,
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
        var previousCases = previous?.IndicatedCases ?? new Dictionary<string, ForcedLabourClassification>(StringComparer.Ordinal);
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
        var previousHits = previous?.Hits.Select(h => (h.Trigger, h.SignalId)).ToHashSet() ?? [];
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
        ArgumentNullException.ThrowIfNull(current);
        return GrievanceAcknowledgementOverdue(subjectId, subjectSeq, grievance, RiskBasis.Of(current), at);
    }

    /// <summary>As the overload above, with the score fields of the current evaluation's basis.</summary>
    public static EscalationDraft GrievanceAcknowledgementOverdue(string subjectId, long subjectSeq, Grievance grievance, RiskBasis current, DateTimeOffset at)
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
        ArgumentNullException.ThrowIfNull(current);
        return CorrectiveActionOverdue(subjectId, subjectSeq, finding, RiskBasis.Of(current), at);
    }

    /// <summary>As the overload above, with the score fields of the current evaluation's basis.</summary>
    public static EscalationDraft CorrectiveActionOverdue(string subjectId, long subjectSeq, AuditFinding finding, RiskBasis current, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(finding);
        ArgumentNullException.ThrowIfNull(current);
        var type = EscalationType.CorrectiveActionOverdue;
        return new EscalationDraft($"{subjectId}:{subjectSeq}:{EscalationEventNames.Of(type)}:{finding.SignalId}", type, EscalationEventNames.Of(type), subjectId, subjectSeq, at, null,
            new EscalationPayload(subjectId, current.Score, current.Band, null, null, current.ForcedLabour, null, null, null, [], [finding.SignalId],
                finding.Indicators.Select(i => i.Code).Distinct().ToArray(), current.ModelVersion));
    }
}

/// <summary>A zero-tolerance hit as the escalation rules tell hits apart: trigger and signal.</summary>
public sealed record HitKey(ZeroToleranceTrigger Trigger, string SignalId);

/// <summary>
/// What the escalation rules compare between two evaluations, in tens of bytes instead of a whole evaluation: score,
/// band, classification, the cases classified indicated or indicated-unverified (a case below those cannot make
/// <c>forced_labour.indicated</c> rise from anything the rules distinguish) and the zero-tolerance hits.
/// </summary>
public sealed record RiskBasis(
    int Score,
    RiskBand Band,
    ForcedLabourClassification ForcedLabour,
    IReadOnlyDictionary<string, ForcedLabourClassification> IndicatedCases,
    IReadOnlyList<HitKey> Hits,
    string ModelVersion)
{
    public static RiskBasis Of(RiskEvaluation evaluation)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        return new RiskBasis(evaluation.Score, evaluation.Band, evaluation.ForcedLabour,
            evaluation.Cases.Where(c => IsIndicated(c.Classification)).ToDictionary(c => c.CaseId, c => c.Classification, StringComparer.Ordinal),
            [.. evaluation.ZeroTolerance.Select(h => new HitKey(h.Trigger, h.SignalId))], evaluation.ModelVersion);
    }

    /// <summary>The basis of a compact evaluation; <paramref name="indicatedCases"/> as <see cref="SubjectState.IndicatedCases"/> gives them.</summary>
    public static RiskBasis Of(RiskSummary summary, IReadOnlyDictionary<string, ForcedLabourClassification> indicatedCases)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(indicatedCases);
        return new RiskBasis(summary.Score, summary.Band, summary.ForcedLabour,
            indicatedCases.Count == 0 ? Empty : new Dictionary<string, ForcedLabourClassification>(indicatedCases, StringComparer.Ordinal),
            summary.ZeroTolerance.Count == 0 ? [] : [.. summary.ZeroTolerance.Select(h => new HitKey(h.Trigger, h.SignalId))], summary.ModelVersion);
    }

    private static readonly IReadOnlyDictionary<string, ForcedLabourClassification> Empty = new Dictionary<string, ForcedLabourClassification>(StringComparer.Ordinal);

    public static bool IsIndicated(ForcedLabourClassification classification) =>
        classification is ForcedLabourClassification.Indicated or ForcedLabourClassification.IndicatedUnverified;

    /// <summary>
    /// False when <see cref="EscalationRules.DeriveFrom"/> certainly derives nothing from <paramref name="previous"/> to
    /// <paramref name="current"/>: same band, no case risen to indicated, no new hit, and no newly linked supplier while
    /// high. Lets a grain skip building the full evaluation (the explanation) on the common signal that changes none of it.
    /// </summary>
    public static bool MayEscalate(RiskBasis? previous, RiskBasis current, bool newlyLinkedSuppliers)
    {
        ArgumentNullException.ThrowIfNull(current);
        var previousBand = previous?.Band ?? RiskBand.Low;
        if (current.Band != previousBand || (newlyLinkedSuppliers && current.Band >= RiskBand.High))
        {
            return true;
        }

        foreach (var (caseId, classification) in current.IndicatedCases)
        {
            if (previous is null || !previous.IndicatedCases.TryGetValue(caseId, out var before) || classification > before)
            {
                return true;
            }
        }

        if (current.Hits.Count == 0)
        {
            return false;
        }

        var previousHits = previous?.Hits.ToHashSet() ?? [];
        return current.Hits.Any(h => !previousHits.Contains(h));
    }
}

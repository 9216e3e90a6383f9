namespace SupplyChainWatch.Domain;

/// <summary>
/// The result of evaluating one subject at one instant. Plain records and lists only (no cycles), so
/// System.Text.Json and Orleans can store and return it as is.
/// </summary>
public sealed record RiskEvaluation(
    string SubjectId,
    int Score,
    RiskBand Band,
    ForcedLabourClassification ForcedLabour,
    IReadOnlyList<ZeroToleranceHit> ZeroTolerance,
    IReadOnlyList<PrecautionaryAlert> PrecautionaryAlerts,
    IReadOnlyList<CaseClassification> Cases,
    RiskExplanation Explanation,
    string ModelVersion,
    DateTimeOffset EvaluatedAt)
{
    /// <summary>Signals kept in the evidence log but left out of the score because the engine cannot use them, with why.</summary>
    public IReadOnlyList<QuarantinedSignal> Quarantined { get; init; } = [];
}

/// <summary>A stored signal the evaluation left out (unreadable, or outside <see cref="DomainLimits"/>), with the reason.</summary>
public sealed record QuarantinedSignal(string SignalId, string Reason);

/// <summary>A zero-tolerance trigger that holds with verified or corroborated evidence: it floors the score.</summary>
public sealed record ZeroToleranceHit(
    ZeroToleranceTrigger Trigger,
    string SignalId,
    string? CaseId,
    EvidenceStatus EvidenceStatus,
    DateOnly ObservedOn,
    IReadOnlyList<IndicatorCode> IndicatorCodes);

/// <summary>A zero-tolerance trigger (or an <c>indicated-unverified</c> case) on weaker evidence: it alerts and never floors.</summary>
public sealed record PrecautionaryAlert(
    ZeroToleranceTrigger Trigger,
    string SignalId,
    string? CaseId,
    EvidenceStatus EvidenceStatus,
    DateOnly ObservedOn,
    IReadOnlyList<IndicatorCode> IndicatorCodes,
    string Reason);

/// <summary>One observation FL-1 looked at, with where it came from.</summary>
public sealed record ObservationUsed(
    string SignalId,
    IndicatorCode Code,
    ForcedLabourElement Element,
    IndicatorStrength Strength,
    bool StrengthOverridden,
    EvidenceStatus EvidenceStatus,
    DateOnly ObservedOn);

/// <summary>Rule FL-1 applied to one case, with the I and P observations the classification rests on.</summary>
public sealed record CaseClassification(
    string CaseId,
    ForcedLabourClassification Classification,
    IReadOnlyList<ObservationUsed> Involuntariness,
    IReadOnlyList<ObservationUsed> MenaceOfPenalty,
    EvidenceStatus? WeakestEvidence,
    IReadOnlyList<string> SignalIds);

/// <summary>Every term of the score. <see cref="PointsTotal"/> is exactly the sum of the listed points.</summary>
public sealed record RiskExplanation(
    SubjectKind SubjectKind,
    string ModelVersion,
    DateTimeOffset EvaluatedAt,
    InherentExplanation Inherent,
    EvidenceExplanation Evidence,
    IReadOnlyList<FeeGroupExplanation> FeeGroups,
    PropagationExplanation Propagation,
    ManagementExplanation Management,
    decimal PointsTotal,
    double UnroundedTotal,
    int ScoreBeforeFloor,
    FloorExplanation Floor,
    int Score,
    RiskBand Band,
    IReadOnlyList<CaseClassification> Cases,
    IReadOnlyList<string> Notes);

/// <summary>Inherent risk: <c>pointsPerUnit × min(cap, C + S + G)</c>, weighted into the score.</summary>
public sealed record InherentExplanation(
    int CountryRisk,
    string CountrySource,
    int SectorRisk,
    string SectorSource,
    int GoodsRisk,
    IReadOnlyList<string> GoodsSources,
    double Inherent,
    double Weight,
    decimal Points);

/// <summary>Evidence: <c>max × (1 − exp(−P / saturation))</c>, shared among the terms in proportion to their raw points.</summary>
public sealed record EvidenceExplanation(
    double RawTotal,
    double Saturation,
    double Max,
    decimal Points,
    IReadOnlyList<EvidenceTerm> Terms);

/// <summary>
/// One observation or finding: <c>raw = base × conf × scale × decay</c>; <see cref="Points"/> is its share of the
/// saturated evidence points (so that the terms add up to the evidence points exactly).
/// </summary>
public sealed record EvidenceTerm(
    string SignalId,
    string Kind,
    string Code,
    IndicatorStrength? Strength,
    bool StrengthOverridden,
    bool Repeat,
    double Base,
    EvidenceStatus EvidenceStatus,
    double Conf,
    int WorkersAffected,
    double Scale,
    string DecayRule,
    double HalfLifeDays,
    DateOnly DecaysFrom,
    double AgeDays,
    double Decay,
    double RawPoints,
    decimal Points);

/// <summary>One recruitment-fee group (corridor and calendar year). A non-empty <see cref="WorkersPayingFees"/> is an Employer Pays Principle breach.</summary>
public sealed record FeeGroupExplanation(
    string SignalId,
    string Origin,
    string Destination,
    int Year,
    int Workers,
    IReadOnlyList<string> ReportIds,
    double MedianCostRatio,
    double FeeBase,
    bool LoanSurcharge,
    int WorkersWithWageDeductedLoan,
    bool EmployerPaysBreach,
    int WorkersPayingFees,
    decimal WorkerPaidUsdTotal);

/// <summary>Points a supplier receives from one recruiter: factor × workforce share × recruiter score.</summary>
public sealed record PropagationTerm(string RecruiterId, double WorkforceShare, double RecruiterScore, decimal Points);

/// <summary>Recruiter-to-supplier propagation: <c>min(max, factor × Σ share × recruiterScore)</c>.</summary>
public sealed record PropagationExplanation(double Factor, double Max, bool Capped, decimal Points, IReadOnlyList<PropagationTerm> Terms);

/// <summary>Management points: a fixed number per overdue major-or-worse corrective action, capped.</summary>
public sealed record ManagementExplanation(IReadOnlyList<string> OverdueCorrectiveActions, double PointsPerAction, double Max, decimal Points);

/// <summary>The zero-tolerance floor: applied when a trigger holds with verified or corroborated evidence.</summary>
public sealed record FloorExplanation(int Floor, bool Applied, IReadOnlyList<ZeroToleranceTrigger> Triggers, string? Reason);

namespace SupplyChainWatch.Domain;

/// <summary>
/// Every tunable number of the risk model (risk-model.md), bound from <c>config/risk-model.json</c> by
/// <see cref="RiskModelLoader"/>. Nothing in the engine hard-codes a number that lives here.
/// </summary>
public sealed record RiskModel(
    string ModelVersion,
    int ReferencePeriodMonths,
    ClassificationOptions Classification,
    InherentOptions Inherent,
    EvidenceOptions Evidence,
    DecayOptions Decay,
    FeeOptions Fees,
    PropagationOptions Propagation,
    ManagementOptions Management,
    ZeroToleranceOptions ZeroTolerance,
    BandOptions Bands,
    GrievanceOptions Grievances)
{
    public RiskBand BandOf(int score) =>
        score >= Bands.Critical ? RiskBand.Critical
        : score >= Bands.High ? RiskBand.High
        : score >= Bands.Medium ? RiskBand.Medium
        : RiskBand.Low;
}

/// <summary><paramref name="RequireSameStage"/> is reserved for a later strict FL-1 mode; v1 ignores it.</summary>
public sealed record ClassificationOptions(bool RequireSameStage);

public sealed record InherentOptions(
    double Weight,
    double PointsPerUnit,
    int Cap,
    int UnknownCountryRisk,
    int UnknownSectorRisk,
    double MigrantOrAgencyShareThreshold,
    int MigrantOrAgencyBump,
    int DolGoodsPoints,
    int UflpaSectorPoints,
    int RecruiterDefaultSectorRisk);

public sealed record SeverityBaseOptions(double ZeroTolerance, double Critical, double Major, double Minor, double Observation)
{
    public double Of(Severity severity) => severity switch
    {
        Severity.ZeroTolerance => ZeroTolerance,
        Severity.Critical => Critical,
        Severity.Major => Major,
        Severity.Minor => Minor,
        _ => Observation,
    };
}

public sealed record BaseOptions(double StrongIndicator, double MediumIndicator, double GrievanceWithoutAllegation, SeverityBaseOptions Severity)
{
    public double Of(IndicatorStrength strength) => strength == IndicatorStrength.Strong ? StrongIndicator : MediumIndicator;
}

public sealed record RepeatOptions(double Multiplier, int WindowMonths);

public sealed record ConfidenceOptions(double Verified, double Corroborated, double Reported, double Alleged, double SelfAssessed)
{
    public double Of(EvidenceStatus status) => status switch
    {
        EvidenceStatus.Verified => Verified,
        EvidenceStatus.Corroborated => Corroborated,
        EvidenceStatus.Reported => Reported,
        EvidenceStatus.Alleged => Alleged,
        _ => SelfAssessed,
    };
}

public sealed record ScaleOptions(double Log10Divisor);

public sealed record EvidenceOptions(double Max, double Saturation, BaseOptions Base, RepeatOptions Repeat, ConfidenceOptions Confidence, ScaleOptions Scale);

public sealed record HalfLifeOptions(double Open, double VerifiedRemediated, double GrievanceClosedUnverified, double FeeReport, double FeeReportReimbursed);

public sealed record DecayOptions(HalfLifeOptions HalfLifeDays);

public sealed record FeeRatioThresholds(double OneMonth, double ThreeMonths);

public sealed record FeeBaseOptions(double None, double BelowOneMonth, double OneToThreeMonths, double ThreeMonthsOrMore);

public sealed record FeeOptions(FeeRatioThresholds RatioThresholds, FeeBaseOptions Base, double LoanSurcharge, double LoanWorkerShare)
{
    /// <summary>Fee band of a median recruitment cost ratio: 0 → none; (0, 1) → below one month; [1, 3) → one to three; ≥ 3.</summary>
    public double BaseOf(double ratio) =>
        ratio <= 0 ? Base.None
        : ratio < RatioThresholds.OneMonth ? Base.BelowOneMonth
        : ratio < RatioThresholds.ThreeMonths ? Base.OneToThreeMonths
        : Base.ThreeMonthsOrMore;
}

public sealed record PropagationOptions(double Factor, double Max);

public sealed record ManagementOptions(double PointsPerOverdueAction, double Max);

public sealed record ZeroToleranceOptions(int Floor, double CaseEscalationDueHours);

public sealed record BandOptions(int Medium, int High, int Critical);

public sealed record GrievanceOptions(int AcknowledgementDays);

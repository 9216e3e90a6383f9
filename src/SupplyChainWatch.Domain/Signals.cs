namespace SupplyChainWatch.Domain;

/// <summary>An indicator code seen in a finding or alleged in a grievance; <paramref name="Strength"/> set only when the submitter overrides the default.</summary>
public sealed record IndicatorObservation(IndicatorCode Code, IndicatorStrength? Strength = null)
{
    public IndicatorStrength EffectiveStrength => Strength ?? IndicatorCatalog.DefaultStrengthOf(Code);

    public bool StrengthOverridden => Strength is { } s && s != IndicatorCatalog.DefaultStrengthOf(Code);
}

/// <summary>One finding of an audit. <paramref name="StatusOn"/> is the date of remediation or verification.</summary>
public sealed record AuditFinding(
    string AuditId,
    string FindingId,
    AuditStandard Standard,
    AuditType AuditType,
    DateOnly StartDate,
    DateOnly EndDate,
    FindingCategory Category,
    Severity Severity,
    IReadOnlyList<IndicatorObservation> Indicators,
    int WorkersAffected,
    EvidenceStatus EvidenceStatus,
    FindingStatus Status,
    DateOnly? StatusOn,
    DateOnly? DueDate,
    string? CaseRef)
{
    /// <summary>Signal id used in explanations: audit id and finding id.</summary>
    public string SignalId => AuditId + "/" + FindingId;
}

/// <summary>A grievance as the engine sees it: no narrative, no identity.</summary>
public sealed record Grievance(
    string GrievanceId,
    DateTimeOffset ReceivedAt,
    IReadOnlyList<IndicatorObservation> Allegations,
    IReadOnlyList<FindingCategory> Categories,
    int WorkersAffected,
    EvidenceStatus EvidenceStatus,
    bool ImminentDanger,
    bool ChildInvolved,
    GrievanceStatus Status,
    DateOnly? AcknowledgedOn,
    DateOnly? ClosedOn,
    GrievanceOutcome? Outcome,
    bool Verified,
    string? CaseRef);

public sealed record Money(decimal Amount, string Currency);

public sealed record FeeCost(string Type, decimal Amount, string Currency, PaidBy PaidBy);

public sealed record FeeFinancing(bool Loan, bool RepaidByWageDeduction, bool MayNotLeaveUntilRepaid)
{
    /// <summary>The recruitment was financed by a debt the worker works off: <c>debt-linked-recruitment</c>.</summary>
    public bool IsDebtLinked => Loan && RepaidByWageDeduction;

    /// <summary>Debt-linked and the worker may not leave until it is repaid: <c>debt-manipulation</c> as well (debt bondage).</summary>
    public bool IsDebtBondage => IsDebtLinked && MayNotLeaveUntilRepaid;
}

public sealed record FeeReimbursement(ReimbursementStatus Status, decimal? Amount, DateOnly? On);

/// <summary>A recruitment-fee report for one worker. <paramref name="FxRatesToUsd"/> are US dollars per unit of a currency.</summary>
public sealed record FeeReport(
    string ReportId,
    string WorkerRef,
    string OriginCountry,
    string DestinationCountry,
    DateOnly RecruitedOn,
    IReadOnlyList<FeeCost> Costs,
    Money MonthlyWage,
    IReadOnlyDictionary<string, decimal>? FxRatesToUsd,
    FeeFinancing Financing,
    FeeReimbursement Reimbursement,
    EvidenceStatus EvidenceStatus);

public sealed record SupplierProfile(
    string? Name,
    string? Country,
    Sector? Sector,
    int? Workforce,
    double MigrantWorkerShare,
    double AgencyWorkerShare,
    IReadOnlyList<string> Products);

public sealed record Corridor(string Origin, string Destination);

public sealed record RecruiterProfile(string? Name, string? LicenceNumber, string? Country, IReadOnlyList<Corridor> Corridors);

/// <summary>A recruiter placing <paramref name="WorkforceShare"/> (0–1) of a supplier's workforce, with its current score.</summary>
public sealed record RecruiterLink(string RecruiterId, double WorkforceShare, double RecruiterScore);

/// <summary>Everything known about a supplier. <paramref name="FeeReports"/> name this supplier: they form FL-1 cases here but score no points (those reach the supplier through propagation).</summary>
public sealed record SupplierEvidence(
    SupplierProfile? Profile,
    IReadOnlyList<AuditFinding> Findings,
    IReadOnlyList<Grievance> Grievances,
    IReadOnlyList<FeeReport> FeeReports,
    IReadOnlyList<RecruiterLink> Recruiters);

/// <summary>Everything known about a recruiter; <paramref name="PlacedWithSectors"/> are the sectors of the suppliers it places workers with (null = unknown).</summary>
public sealed record RecruiterEvidence(
    RecruiterProfile? Profile,
    IReadOnlyList<AuditFinding> Findings,
    IReadOnlyList<Grievance> Grievances,
    IReadOnlyList<FeeReport> FeeReports,
    IReadOnlyList<Sector?> PlacedWithSectors);

namespace SupplyChainWatch.Domain;

// Member names are chosen so that kebab-casing them gives exactly the strings of the specification
// (the API serialises enums with a kebab-case naming policy).

/// <summary>The fifteen indicator codes of risk-model.md §1.</summary>
public enum IndicatorCode
{
    DeceptionNatureOfWork,
    DeceptionConditions,
    ExcessiveOvertimeImposed,
    AbusiveLivingConditions,
    Isolation,
    DebtLinkedRecruitment,
    NoFreedomToResign,
    RestrictionOfMovement,
    PhysicalSexualViolence,
    ThreatViolenceOrDenunciation,
    ThreatDismissalOrFinancialPenalty,
    DocumentRetention,
    WageWithholding,
    DebtManipulation,
    AbuseOfVulnerability,
}

/// <summary>The two elements of forced labour in ILO Convention No. 29.</summary>
public enum ForcedLabourElement
{
    Involuntariness,
    MenaceOfPenalty,
}

/// <summary>Strength of a forced-labour indicator (ILO, "Hard to see, harder to count").</summary>
public enum IndicatorStrength
{
    Medium,
    Strong,
}

/// <summary>How well an observation is established, strongest first.</summary>
public enum EvidenceStatus
{
    Verified,
    Corroborated,
    Reported,
    Alleged,
    SelfAssessed,
}

/// <summary>Audit finding severity, most severe first.</summary>
public enum Severity
{
    ZeroTolerance,
    Critical,
    Major,
    Minor,
    Observation,
}

/// <summary>Category of an audit finding.</summary>
public enum FindingCategory
{
    ForcedLabour,
    RecruitmentFees,
    Documents,
    ChildLabour,
    YoungWorkers,
    WorkingHours,
    Wages,
    HumaneTreatment,
    NonDiscrimination,
    FreedomOfAssociation,
    HealthSafety,
    Housing,
    Ethics,
    ManagementSystem,
    Environment,
}

/// <summary>Remediation status of a finding.</summary>
public enum FindingStatus
{
    Open,
    Remediated,
    VerifiedRemediated,
}

/// <summary>The social-audit standard an audit followed.</summary>
public enum AuditStandard
{
    Smeta,
    RbaVap,
    RbaSvap,
    AmforiBsci,
    Other,
}

/// <summary>Kind of audit visit.</summary>
public enum AuditType
{
    Initial,
    FollowUp,
    Closure,
    PriorityClosure,
}

/// <summary>Lifecycle of a grievance.</summary>
public enum GrievanceStatus
{
    Received,
    Acknowledged,
    Investigating,
    Resolved,
    Closed,
}

/// <summary>Outcome of a resolved or closed grievance.</summary>
public enum GrievanceOutcome
{
    Founded,
    Unfounded,
    PartiallyFounded,
    Withdrawn,
}

/// <summary>The closed list of sectors with an inherent sector risk.</summary>
public enum Sector
{
    Apparel,
    Textiles,
    Footwear,
    Electronics,
    Agriculture,
    FishingSeafood,
    Mining,
    Construction,
    Manufacturing,
    FoodProcessing,
    DomesticWork,
    Hospitality,
    Logistics,
    Other,
}

/// <summary>Who paid a recruitment cost.</summary>
public enum PaidBy
{
    Worker,
    Family,
    Employer,
    Recruiter,
}

/// <summary>How much of the worker-paid costs was paid back.</summary>
public enum ReimbursementStatus
{
    None,
    Partial,
    Full,
}

/// <summary>Outcome of rule FL-1, least severe first (so that the maximum is the most severe).</summary>
public enum ForcedLabourClassification
{
    None,
    Risk,
    IndicatedUnverified,
    Indicated,
}

/// <summary>Score band, lowest first.</summary>
public enum RiskBand
{
    Low,
    Medium,
    High,
    Critical,
}

/// <summary>The seven zero-tolerance triggers of risk-model.md §5.</summary>
public enum ZeroToleranceTrigger
{
    /// <summary>1. Forced labour <c>indicated</c> by rule FL-1.</summary>
    ForcedLabourIndicated,

    /// <summary>2. <c>document-retention</c>.</summary>
    DocumentRetention,

    /// <summary>3. <c>physical-sexual-violence</c> or <c>restriction-of-movement</c>.</summary>
    PhysicalViolenceOrConfinement,

    /// <summary>4. Child labour (finding category <c>child-labour</c> or grievance flag <c>childInvolved</c>).</summary>
    ChildLabour,

    /// <summary>5. Debt bondage: debt-linked recruitment together with debt manipulation in one case.</summary>
    DebtBondage,

    /// <summary>6. Imminent danger to life.</summary>
    ImminentDanger,

    /// <summary>7. Bribery of an auditor, falsified records, hidden production.</summary>
    AuditIntegrity,
}

/// <summary>Escalation events of risk-model.md §7; <see cref="EscalationEventNames"/> gives the wire names.</summary>
public enum EscalationType
{
    RiskBandChanged,
    ForcedLabourIndicated,
    CaseEscalated,
    RecruiterHighRiskLinked,
    GrievanceAcknowledgementOverdue,
    CorrectiveActionOverdue,
}

/// <summary>Supplier site or labour recruiter.</summary>
public enum SubjectKind
{
    Supplier,
    Recruiter,
}

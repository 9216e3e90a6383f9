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

public enum FindingStatus
{
    Open,
    Remediated,
    VerifiedRemediated,
}

public enum AuditStandard
{
    Smeta,
    RbaVap,
    RbaSvap,
    AmforiBsci,
    Other,
}

public enum AuditType
{
    Initial,
    FollowUp,
    Closure,
    PriorityClosure,
}

public enum GrievanceStatus
{
    Received,
    Acknowledged,
    Investigating,
    Resolved,
    Closed,
}

public enum GrievanceOutcome
{
    Founded,
    Unfounded,
    PartiallyFounded,
    Withdrawn,
}

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

public enum PaidBy
{
    Worker,
    Family,
    Employer,
    Recruiter,
}

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

public enum SubjectKind
{
    Supplier,
    Recruiter,
}

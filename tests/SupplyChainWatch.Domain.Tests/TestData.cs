using SupplyChainWatch.Domain;

namespace SupplyChainWatch.Domain.Tests;

/// <summary>The shipped config folder, found by walking up to the solution file, so the tests test what ships.</summary>
internal static class ShippedConfig
{
    private static readonly Lazy<string> Folder = new(() =>
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "SupplyChainWatch.sln")))
        {
            directory = directory.Parent;
        }

        return directory is null
            ? throw new InvalidOperationException("SupplyChainWatch.sln not found above " + AppContext.BaseDirectory)
            : Path.Combine(directory.FullName, "config");
    });

    private static readonly Lazy<ReferenceTables> LazyTables = new(() => ReferenceTables.Parse(
        Read("country-risk.csv"), Read("sector-risk.json"), Read("tvpra-goods.csv"), Read("uflpa-sectors.txt"), Read("fx-rates-usd.json")));

    private static readonly Lazy<RiskModel> LazyModel = new(() => RiskModelLoader.Load(Read("risk-model.json")));

    private static readonly Lazy<RiskEngine> LazyEngine = new(() => new RiskEngine(Model, Tables));

    public static string Read(string file) => File.ReadAllText(Path.Combine(Folder.Value, file));

    public static ReferenceTables Tables => LazyTables.Value;

    public static RiskModel Model => LazyModel.Value;

    public static RiskEngine Engine => LazyEngine.Value;
}

/// <summary>Builders with neutral defaults, so each test states only what it is about.</summary>
internal static class Make
{
    /// <summary>The evaluation instant used by most tests.</summary>
    public static readonly DateTimeOffset At = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    public static DateOnly Today => DateOnly.FromDateTime(At.UtcDateTime);

    public static IndicatorObservation Obs(IndicatorCode code, IndicatorStrength? strength = null) => new(code, strength);

    public static AuditFinding Finding(
        string auditId = "A1",
        string findingId = "F1",
        DateOnly? endDate = null,
        FindingCategory category = FindingCategory.ForcedLabour,
        Severity severity = Severity.Major,
        IReadOnlyList<IndicatorObservation>? indicators = null,
        int workers = 1,
        EvidenceStatus evidence = EvidenceStatus.Verified,
        FindingStatus status = FindingStatus.Open,
        DateOnly? statusOn = null,
        DateOnly? dueDate = null,
        string? caseRef = null)
    {
        var end = endDate ?? Today;
        return new AuditFinding(auditId, findingId, AuditStandard.Smeta, AuditType.Initial, end.AddDays(-2), end, category, severity,
            indicators ?? [], workers, evidence, status, statusOn, dueDate, caseRef);
    }

    public static Grievance Grievance(
        string id = "G1",
        DateTimeOffset? receivedAt = null,
        IReadOnlyList<IndicatorObservation>? allegations = null,
        int workers = 1,
        EvidenceStatus evidence = EvidenceStatus.Alleged,
        bool imminentDanger = false,
        bool childInvolved = false,
        GrievanceStatus status = GrievanceStatus.Received,
        DateOnly? closedOn = null,
        GrievanceOutcome? outcome = null,
        bool verified = false,
        string? caseRef = null,
        DateOnly? acknowledgedOn = null) =>
        new(id, receivedAt ?? At, allegations ?? [], [], workers, evidence, imminentDanger, childInvolved, status, acknowledgedOn, closedOn, outcome, verified, caseRef);

    public static FeeReport FeeReport(
        string id = "R1",
        string worker = "W1",
        decimal workerPaid = 0m,
        string currency = "USD",
        decimal wage = 1000m,
        string wageCurrency = "USD",
        DateOnly? recruitedOn = null,
        bool loan = false,
        bool wageDeduction = false,
        bool mayNotLeave = false,
        ReimbursementStatus reimbursement = ReimbursementStatus.None,
        DateOnly? reimbursedOn = null,
        EvidenceStatus evidence = EvidenceStatus.Verified,
        IReadOnlyDictionary<string, decimal>? rates = null,
        string origin = "NP",
        string destination = "MY",
        PaidBy paidBy = PaidBy.Worker) =>
        new(id, worker, origin, destination, recruitedOn ?? Today,
            workerPaid > 0 ? [new FeeCost("recruitment-fee", workerPaid, currency, paidBy)] : [],
            new Money(wage, wageCurrency), rates, new FeeFinancing(loan, wageDeduction, mayNotLeave),
            new FeeReimbursement(reimbursement, null, reimbursedOn), evidence);

    public static SupplierEvidence Supplier(
        IReadOnlyList<AuditFinding>? findings = null,
        IReadOnlyList<Grievance>? grievances = null,
        IReadOnlyList<FeeReport>? feeReports = null,
        IReadOnlyList<RecruiterLink>? recruiters = null,
        SupplierProfile? profile = null) =>
        new(profile, findings ?? [], grievances ?? [], feeReports ?? [], recruiters ?? []);

    public static RecruiterEvidence Recruiter(
        IReadOnlyList<FeeReport>? feeReports = null,
        IReadOnlyList<AuditFinding>? findings = null,
        IReadOnlyList<Grievance>? grievances = null,
        RecruiterProfile? profile = null,
        IReadOnlyList<Sector?>? placedWith = null) =>
        new(profile, findings ?? [], grievances ?? [], feeReports ?? [], placedWith ?? []);

    public static RiskEvaluation EvaluateSupplier(SupplierEvidence evidence, DateTimeOffset? at = null) =>
        ShippedConfig.Engine.EvaluateSupplier("sup:1", evidence, at ?? At);

    public static RiskEvaluation EvaluateRecruiter(RecruiterEvidence evidence, DateTimeOffset? at = null) =>
        ShippedConfig.Engine.EvaluateRecruiter("rec:1", evidence, at ?? At);

    /// <summary>Evidence points a single term would get on its own: 80 × (1 − exp(−raw / 60)).</summary>
    public static double Saturate(double raw) => 80 * (1 - Math.Exp(-raw / 60));
}

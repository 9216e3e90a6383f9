using SupplyChainWatch.Domain;
using SupplyChainWatch.Grains.Subjects;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Grains.Tests.Subjects;

public sealed class EscalationFactoryTests
{
    private static readonly DateTimeOffset At = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Overdue_events_already_stored_are_left_out_and_the_others_still_come()
    {
        var model = RiskModelLoader.Load(File.ReadAllText(ConfigFile("risk-model.json")));
        var document = new SupplierDocument();
        document.Findings["A1/F1"] = Finding("A1", "F1", dueDate: new DateOnly(2026, 5, 1));
        document.Findings["A2/F1"] = Finding("A2", "F1", dueDate: new DateOnly(2026, 5, 2));
        document.Findings["A3/F1"] = Finding("A3", "F1", dueDate: new DateOnly(2026, 7, 1)); // not due yet
        var evaluation = RiskEvaluationOf(document, model);
        var summary = new SubjectSummary("sup:s1", "supplier", null, "BD", "apparel", evaluation.Score, "low", "none", At);

        var basis = RiskBasis.Of(evaluation);
        var first = EscalationFactory.ForEvidence("sup:s1", 3, 0, basis, basis, () => evaluation, document.Grievances.Values, document.Findings.Values, document, () => [], model, At, summary,
            new HashSet<string>(), [], out var derived);
        Assert.Equal(0, derived); // no change between the two evaluations
        Assert.Equal(["sup:s1:corrective_action.overdue:A1/F1", "sup:s1:corrective_action.overdue:A2/F1"], first.Select(e => e.EventId).Order().ToArray());

        var stored = new HashSet<string> { "sup:s1:corrective_action.overdue:A1/F1" };
        var second = EscalationFactory.ForEvidence("sup:s1", 4, 0, basis, basis, () => evaluation, document.Grievances.Values, document.Findings.Values, document, () => [], model, At, summary,
            stored, [], out _);
        Assert.Equal(["sup:s1:corrective_action.overdue:A2/F1"], second.Select(e => e.EventId).ToArray());

        stored.Add("sup:s1:corrective_action.overdue:A2/F1");
        Assert.Empty(EscalationFactory.ForTimeCheck("sup:s1", 4, 0, basis, basis, () => evaluation, document.Grievances.Values, document.Findings.Values, document, () => [], model, At, summary,
            stored, out _));
    }

    private static RiskEvaluation RiskEvaluationOf(SupplierDocument document, RiskModel model) =>
        new RiskEngine(model, Tables()).EvaluateSupplier("s1", document.ToEvidence(), At);

    /// <summary>The engine of the shipped configuration.</summary>
    internal static RiskEngine ShippedEngine() => new(RiskModelLoader.Load(File.ReadAllText(ConfigFile("risk-model.json"))), Tables());

    private static ReferenceTables Tables() => ReferenceTables.Parse(
        File.ReadAllText(ConfigFile("country-risk.csv")), File.ReadAllText(ConfigFile("sector-risk.json")), File.ReadAllText(ConfigFile("tvpra-goods.csv")),
        File.ReadAllText(ConfigFile("uflpa-sectors.txt")), File.ReadAllText(ConfigFile("fx-rates-usd.json")));

    private static AuditFinding Finding(string auditId, string findingId, DateOnly dueDate) => new(
        auditId, findingId, AuditStandard.Smeta, AuditType.Initial, new DateOnly(2026, 3, 1), new DateOnly(2026, 3, 2), FindingCategory.HealthSafety,
        Severity.Major, [], 10, EvidenceStatus.Verified, FindingStatus.Open, null, dueDate, null);

    private static string ConfigFile(string name)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "SupplyChainWatch.sln")))
        {
            directory = directory.Parent;
        }

        return Path.Combine(directory?.FullName ?? throw new InvalidOperationException("SupplyChainWatch.sln not found"), "config", name);
    }
}

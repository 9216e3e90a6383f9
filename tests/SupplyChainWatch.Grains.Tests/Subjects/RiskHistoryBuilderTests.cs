using System.Diagnostics;
using SupplyChainWatch.Contracts;
using SupplyChainWatch.Domain;
using SupplyChainWatch.Grains.Subjects;
using SupplyChainWatch.Storage;
using Xunit.Abstractions;

namespace SupplyChainWatch.Grains.Tests.Subjects;

public sealed class RiskHistoryBuilderTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Start = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);
    private static readonly Lazy<RiskEngine> Engine = new(() => new RiskEngine(
        RiskModelLoader.Load(File.ReadAllText(ConfigFile("risk-model.json"))),
        ReferenceTables.Parse(
            File.ReadAllText(ConfigFile("country-risk.csv")), File.ReadAllText(ConfigFile("sector-risk.json")), File.ReadAllText(ConfigFile("tvpra-goods.csv")),
            File.ReadAllText(ConfigFile("uflpa-sectors.txt")), File.ReadAllText(ConfigFile("fx-rates-usd.json")))));

    [Fact]
    public void Every_point_is_the_engine_score_of_the_evidence_recorded_by_then_and_its_causes_add_up()
    {
        var rows = Rows(30);
        var history = RiskHistoryBuilder.Build("sup:s1", new SupplierState(Engine.Value, "s1"), rows, [], DateTimeOffset.MinValue, rows[^1].RecordedAt.AddDays(30), 0);

        var document = new SupplierDocument();
        var previous = Engine.Value.EvaluateSupplier("s1", document.ToEvidence(), Start).Score; // The first delta is from no evidence.
        var pointIndex = 0;
        foreach (var row in rows)
        {
            document.Apply(row);
            var point = history.Points[pointIndex++];
            Assert.Equal(row.SubjectSeq, point.Seq);
            Assert.Equal(Engine.Value.EvaluateSupplier("s1", document.ToEvidence(), row.RecordedAt).Score, point.Score);
            Assert.Equal(point.Score - previous, point.Delta);
            Assert.Equal(point.Delta, point.Causes.Sum(c => c.Points));
            Assert.Contains(point.Causes, c => c.Cause == row.Kind);
            previous = point.Score;
        }

        // Thirty days after the last row: decay (and deadlines) alone, as a last point at the window's end.
        var last = Assert.Single(history.Points.Skip(rows.Count));
        Assert.Equal(Engine.Value.EvaluateSupplier("s1", document.ToEvidence(), rows[^1].RecordedAt.AddDays(30)).Score, last.Score);
        Assert.All(last.Causes, c => Assert.Contains(c.Cause, new[] { ScoreTimeline.Decay, ScoreTimeline.DeadlinePassed }));
        Assert.Contains(history.Points, p => p.Causes.Any(c => c.Cause == ScoreTimeline.DeadlinePassed));
    }

    [Fact]
    public void A_thousand_rows_fill_one_page_in_one_pass()
    {
        var rows = Rows(1000);
        RiskHistoryBuilder.Build("sup:s1", new SupplierState(Engine.Value, "s1"), rows, [], DateTimeOffset.MinValue, rows[^1].RecordedAt, 0);
        var watch = Stopwatch.StartNew();
        var history = RiskHistoryBuilder.Build("sup:s1", new SupplierState(Engine.Value, "s1"), rows, [], DateTimeOffset.MinValue, rows[^1].RecordedAt, 0);
        output.WriteLine($"1,000 rows: {watch.Elapsed.TotalMilliseconds:0.0} ms (second call)");
        Assert.Equal(RiskHistoryLimits.MaxPoints, history.Points.Count);
    }

    /// <summary>A profile, then findings a day apart (some major with due dates that pass), with a remediation every tenth.</summary>
    private static List<EvidenceEntry> Rows(int count)
    {
        var rows = new List<EvidenceEntry>
        {
            new(1, EvidenceKinds.Profile, EvidenceJson.Serialize(new SupplierProfile("Site", "MY", Sector.Apparel, 400, 0.3, 0.1, ["garments"])), Start),
        };
        for (var i = 1; rows.Count < count; i++)
        {
            var at = Start.AddDays(i);
            var day = DateOnly.FromDateTime(at.UtcDateTime);
            var major = i % 8 == 0;
            var finding = new AuditFinding($"A{i}", "F1", AuditStandard.Smeta, AuditType.Initial, day.AddDays(-2), day.AddDays(-1),
                i % 2 == 0 ? FindingCategory.Wages : FindingCategory.WorkingHours, major ? Severity.Major : Severity.Observation, [], 1,
                EvidenceStatus.Verified, FindingStatus.Open, null, major ? day.AddDays(3) : null, null);
            rows.Add(new EvidenceEntry(rows.Count + 1, EvidenceKinds.Finding, EvidenceJson.Serialize(new EvidenceContent.Finding("s1", null, "Firm", finding)), at));
            if (i % 10 == 0 && rows.Count < count)
            {
                rows.Add(new EvidenceEntry(rows.Count + 1, EvidenceKinds.FindingStatus,
                    EvidenceJson.Serialize(new EvidenceContent.FindingStatusChange($"A{i - 5}", "F1", FindingStatus.VerifiedRemediated, day)), at.AddHours(1)));
            }
        }

        return rows;
    }

    private static string ConfigFile(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "config", name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException(name);
    }
}

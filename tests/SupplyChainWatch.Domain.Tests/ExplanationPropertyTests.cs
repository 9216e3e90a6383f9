using System.Text.Json;
using System.Text.Json.Serialization;
using SupplyChainWatch.Domain;

namespace SupplyChainWatch.Domain.Tests;

public sealed class ExplanationPropertyTests
{
    private static readonly string[] Countries = ["CN", "MY", "NP", "BD", "DE", "AE", "IN", "ZZ", "TH", "US"];
    private static readonly string[] Currencies = ["USD", "MYR", "NPR", "EUR", "AED"];
    private static readonly string[] Products = ["cotton", "garments", "electronics", "shrimp", "tea", "polysilicon", "widgets"];

    /// <summary>A random subject's evidence; seeded so a failure reproduces.</summary>
    internal static (SupplierEvidence Supplier, RecruiterEvidence Recruiter) RandomEvidence(Random random, int signals)
    {
        T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];
        var codes = Enum.GetValues<IndicatorCode>();
        var statuses = Enum.GetValues<EvidenceStatus>();
        IndicatorObservation[] Observations() => Enumerable.Range(0, random.Next(0, 3))
            .Select(_ => new IndicatorObservation(Pick(codes), random.Next(5) == 0 ? Pick(Enum.GetValues<IndicatorStrength>()) : null)).ToArray();
        DateOnly Day() => Make.Today.AddDays(-random.Next(0, 1200));

        var findings = new List<AuditFinding>();
        var grievances = new List<Grievance>();
        var reports = new List<FeeReport>();
        for (var i = 0; i < signals; i++)
        {
            switch (random.Next(3))
            {
                case 0:
                    var status = Pick(Enum.GetValues<FindingStatus>());
                    var end = Day();
                    findings.Add(Make.Finding("A" + random.Next(4), "F" + i, end, Pick(Enum.GetValues<FindingCategory>()), Pick(Enum.GetValues<Severity>()),
                        Observations(), random.Next(0, 500), Pick(statuses), status, status == FindingStatus.Open ? null : end.AddDays(random.Next(0, 100)),
                        random.Next(2) == 0 ? end.AddDays(random.Next(0, 120)) : null, random.Next(4) == 0 ? "C" + random.Next(3) : null));
                    break;
                case 1:
                    var received = Make.At.AddDays(-random.Next(0, 1200)).AddMinutes(-random.Next(0, 1440));
                    var closed = random.Next(3) == 0;
                    grievances.Add(Make.Grievance("G" + i, received, Observations(), random.Next(0, 50), Pick(statuses), random.Next(10) == 0, random.Next(10) == 0,
                        closed ? GrievanceStatus.Closed : Pick(Enum.GetValues<GrievanceStatus>()), closed ? DateOnly.FromDateTime(received.UtcDateTime).AddDays(random.Next(0, 60)) : null,
                        closed ? Pick(Enum.GetValues<GrievanceOutcome>()) : null, random.Next(2) == 0, random.Next(4) == 0 ? "C" + random.Next(3) : null));
                    break;
                default:
                    var loan = random.Next(2) == 0;
                    var reimbursed = Pick(Enum.GetValues<ReimbursementStatus>());
                    var recruitedOn = Day();
                    reports.Add(Make.FeeReport("R" + i, "W" + random.Next(signals), random.Next(0, 6000), Pick(Currencies), random.Next(100, 2000), Pick(Currencies),
                        recruitedOn, loan, loan && random.Next(2) == 0, random.Next(2) == 0, reimbursed, reimbursed == ReimbursementStatus.Full ? recruitedOn.AddDays(random.Next(0, 200)) : null,
                        Pick(statuses), null, Pick(Countries), Pick(Countries), Pick(Enum.GetValues<PaidBy>())));
                    break;
            }
        }

        var profile = random.Next(5) == 0 ? null : new SupplierProfile("S", Pick(Countries), random.Next(6) == 0 ? null : Pick(Enum.GetValues<Sector>()), random.Next(10, 5000),
            random.NextDouble() * 0.5, random.NextDouble() * 0.5, [Pick(Products)]);
        var links = Enumerable.Range(0, random.Next(0, 4)).Select(i => new RecruiterLink("rec:" + i, random.NextDouble(), random.Next(0, 101))).ToArray();
        var supplier = new SupplierEvidence(profile, findings, grievances, reports, links);
        var recruiter = new RecruiterEvidence(new RecruiterProfile("R", null, Pick(Countries), [new Corridor(Pick(Countries), Pick(Countries))]),
            findings, grievances, reports, [Pick(Enum.GetValues<Sector>()), null]);
        return (supplier, recruiter);
    }

    private static void AssertAddsUp(RiskEvaluation evaluation)
    {
        var e = evaluation.Explanation;
        var listed = e.Inherent.Points + e.Evidence.Terms.Sum(t => t.Points) + e.Propagation.Terms.Sum(t => t.Points) + e.Management.Points;
        Assert.Equal(e.PointsTotal, listed);
        Assert.Equal(e.Evidence.Points, e.Evidence.Terms.Sum(t => t.Points));
        Assert.Equal(e.Propagation.Points, e.Propagation.Terms.Sum(t => t.Points));
        Assert.InRange((double)e.PointsTotal - e.UnroundedTotal, -0.005 - 1e-9, 0.005 + 1e-9);
        Assert.Equal((int)Math.Clamp(Math.Round(e.UnroundedTotal, MidpointRounding.AwayFromZero), 0, 100), e.ScoreBeforeFloor);
        Assert.InRange(evaluation.Score, 0, 100);
        Assert.Equal(e.Floor.Applied ? Math.Max(e.ScoreBeforeFloor, 80) : e.ScoreBeforeFloor, evaluation.Score);
        Assert.Equal(evaluation.ZeroTolerance.Count > 0, e.Floor.Applied);
        Assert.Equal(ShippedConfig.Model.BandOf(evaluation.Score), evaluation.Band);
        Assert.All(e.Evidence.Terms, t => Assert.True(t.Points >= 0));
    }

    [Fact]
    public void Worked_check_d_listed_points_add_up_to_the_score_before_the_floor_for_a_thousand_random_subjects()
    {
        var random = new Random(20260601);
        for (var i = 0; i < 1000; i++)
        {
            var (supplier, recruiter) = RandomEvidence(random, random.Next(0, 25));
            AssertAddsUp(Make.EvaluateSupplier(supplier));
            AssertAddsUp(Make.EvaluateRecruiter(recruiter));
        }
    }

    [Fact]
    public void Engine_is_safe_to_share_between_threads()
    {
        var random = new Random(3);
        var subjects = Enumerable.Range(0, 200).Select(_ => RandomEvidence(random, 20).Supplier).ToArray();
        var sequential = subjects.Select(s => Make.EvaluateSupplier(s).Explanation.PointsTotal).ToArray();
        var parallel = new decimal[subjects.Length];
        Parallel.For(0, subjects.Length, i => parallel[i] = Make.EvaluateSupplier(subjects[i]).Explanation.PointsTotal);
        Assert.Equal(sequential, parallel);
    }

    [Fact]
    public void Same_evidence_and_instant_give_the_same_evaluation()
    {
        var (supplier, _) = RandomEvidence(new Random(7), 20);
        var options = new JsonSerializerOptions { Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) } };
        Assert.Equal(JsonSerializer.Serialize(Make.EvaluateSupplier(supplier), options), JsonSerializer.Serialize(Make.EvaluateSupplier(supplier), options));
    }

    [Fact]
    public void Evaluation_round_trips_through_System_Text_Json_with_kebab_case_enums()
    {
        var (supplier, _) = RandomEvidence(new Random(11), 20);
        var evaluation = Make.EvaluateSupplier(supplier);
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) } };
        var json = JsonSerializer.Serialize(evaluation, options);
        var back = JsonSerializer.Deserialize<RiskEvaluation>(json, options)!;
        Assert.Equal(evaluation.Score, back.Score);
        Assert.Equal(evaluation.Explanation.PointsTotal, back.Explanation.PointsTotal);
        Assert.Equal(evaluation.Cases.Count, back.Cases.Count);
        Assert.Equal(json, JsonSerializer.Serialize(back, options));
        Assert.DoesNotContain("\"IndicatedUnverified\"", json, StringComparison.Ordinal);
    }
}

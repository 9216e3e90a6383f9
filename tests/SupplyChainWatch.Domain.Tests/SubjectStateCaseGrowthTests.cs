using System.Text.Json;
using System.Text.Json.Serialization;
using SupplyChainWatch.Domain;

namespace SupplyChainWatch.Domain.Tests;

/// <summary>
/// A case that grows row by row while time moves forward, as a score history walks an audit: only the new members are
/// looked at while the case's last result holds, and the answers stay the engine's.
/// </summary>
public sealed class SubjectStateCaseGrowthTests
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) } };

    [Fact]
    public void Walking_one_audit_of_1000_findings_row_by_row_looks_at_each_member_of_its_case_a_bounded_number_of_times()
    {
        var state = new SupplierState(ShippedConfig.Engine, "sup:1");
        var findings = new List<AuditFinding>();
        for (var i = 0; i < 1000; i++)
        {
            var finding = Make.Finding("A1", "F" + i, Make.Today.AddDays(-30), i % 2 == 0 ? FindingCategory.Wages : FindingCategory.WorkingHours,
                i % 7 == 0 ? Severity.Major : Severity.Minor, workers: 1 + (i % 9), dueDate: i % 7 == 0 ? Make.Today.AddDays(-10) : null);
            findings.Add(finding);
            state.Apply(finding);
            state.Evaluate(Make.At.AddSeconds(i));
        }

        // Re-classifying the whole case at every row would look at 1 + 2 + … + 1000 members, about 500,000.
        Assert.InRange(state.CaseMemberVisits, 1000, 3000);
        var expected = ShippedConfig.Engine.EvaluateSupplier("sup:1", new SupplierEvidence(null, findings, [], [], []), Make.At.AddSeconds(1000));
        var summary = state.Evaluate(Make.At.AddSeconds(1000));
        Assert.Equal(expected.Score, summary.Score);
        Assert.Equal(expected.ForcedLabour, summary.ForcedLabour);
    }

    [Fact]
    public void Signals_joining_cases_while_time_moves_forward_give_the_engine_evaluation_after_every_one()
    {
        var random = new Random(20261202);
        for (var subject = 0; subject < 120; subject++)
        {
            var (supplier, _) = ExplanationPropertyTests.RandomEvidence(random, random.Next(5, 40));
            var state = new SupplierState(ShippedConfig.Engine, "sup:1");
            state.SetProfile(supplier.Profile);
            List<AuditFinding> findings = [];
            List<Grievance> grievances = [];
            List<FeeReport> reports = [];
            var steps = new List<Action>();
            steps.AddRange(supplier.Findings.Select(f => (Action)(() => { state.Apply(f); findings.Add(f); })));
            steps.AddRange(supplier.Grievances.Select(g => (Action)(() => { state.Apply(g); grievances.Add(g); })));
            steps.AddRange(supplier.FeeReports.Select(r => (Action)(() => { state.Apply(r); reports.Add(r); })));

            // A finding remediated on the way: a member changing (removed and added again) in a case that grows.
            if (supplier.Findings.Count > 0)
            {
                var f = supplier.Findings[random.Next(supplier.Findings.Count)];
                var on = f.EndDate.AddDays(random.Next(0, 100));
                steps.Add(() =>
                {
                    var i = findings.FindIndex(x => x.SignalId == f.SignalId);
                    Assert.Equal(i >= 0, state.ApplyFindingStatus(f.AuditId, f.FindingId, FindingStatus.VerifiedRemediated, on));
                    if (i >= 0)
                    {
                        findings[i] = findings[i] with { Status = FindingStatus.VerifiedRemediated, StatusOn = on };
                    }
                });
            }

            // Time only moves forward, often not at all between rows (the rows of one submission share an instant).
            var at = Make.At.AddDays(-1300);
            foreach (var step in steps.OrderBy(_ => random.Next()))
            {
                step();
                at = random.Next(2) == 0 ? at : at.AddDays(random.Next(0, 90)).AddMinutes(random.Next(0, 1440));
                var expected = ShippedConfig.Engine.EvaluateSupplier("sup:1", new SupplierEvidence(supplier.Profile, [.. findings], [.. grievances], [.. reports], []), at);
                var summary = state.Evaluate(at);
                var context = $"subject {subject} at {at:O}";
                Assert.True(expected.Score == summary.Score, $"{context}: score {summary.Score}, engine {expected.Score}");
                Assert.True(expected.ForcedLabour == summary.ForcedLabour, $"{context}: {summary.ForcedLabour}, engine {expected.ForcedLabour}");
                Assert.Equal(JsonSerializer.Serialize(expected.ZeroTolerance, Json), JsonSerializer.Serialize(summary.ZeroTolerance, Json));
                Assert.Equal(JsonSerializer.Serialize(expected.PrecautionaryAlerts, Json), JsonSerializer.Serialize(summary.PrecautionaryAlerts, Json));
            }
        }
    }
}

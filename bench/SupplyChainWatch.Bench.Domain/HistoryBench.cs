using System.Diagnostics;
using SupplyChainWatch.Domain;

/// <summary>
/// The score-history walk of bench/run.sh --scenario history in the Domain alone: a supplier with two audits of 500
/// findings (the load generator's), walked by <see cref="ScoreTimeline"/> row by row as the grain's history builder walks
/// it (advance to the row's instant, apply, take the causes), then to "now". Splits the time into apply, evaluate and
/// causes, so a slow history can be told from a slow store or serialiser. Best of 9 after a warm-up (the machine is shared: CPU time is printed too).
/// </summary>
internal static class HistoryBench
{
    public static void Run(RiskEngine engine)
    {
        var recorded = new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
        var findings = new List<(DateTimeOffset At, AuditFinding Finding)>();
        foreach (var (audit, offset) in new[] { ("A", 0), ("B", 1) })
        {
            for (var i = 0; i < 500; i++)
            {
                var major = i % 7 == 0;
                findings.Add((recorded.AddSeconds(offset), new AuditFinding($"bench-{audit}", $"F{i}", AuditStandard.Smeta, AuditType.Initial,
                    new DateOnly(2026, 5, 1), new DateOnly(2026, 5, 3), i % 2 == 0 ? FindingCategory.Wages : FindingCategory.WorkingHours,
                    major ? Severity.Major : Severity.Minor, [], 1 + (i % 9), EvidenceStatus.Verified, FindingStatus.Open, null,
                    major ? new DateOnly(2026, 6, 30) : null, null)));
            }
        }

        var now = recorded.AddMinutes(5);
        double best = double.MaxValue, bestApply = 0, bestEvaluate = 0, bestCauses = 0, bestAdvance = 0;
        long checksum = 0;
        for (var pass = 0; pass < 12; pass++)
        {
            long apply = 0, evaluate = 0, causes = 0, applyOnly = 0;
            var cpu = Environment.CpuUsage.TotalTime;
            var total = Stopwatch.StartNew();
            var timeline = new ScoreTimeline(new SupplierState(engine, "sup:bench"), findings[0].At);
            foreach (var (at, finding) in findings)
            {
                var t0 = Stopwatch.GetTimestamp();
                timeline.AdvanceTo(at);
                var t1 = Stopwatch.GetTimestamp();
                timeline.Apply("finding", finding.SignalId, s =>
                {
                    var start = Stopwatch.GetTimestamp();
                    s.Apply(finding);
                    applyOnly += Stopwatch.GetTimestamp() - start;
                });
                var t2 = Stopwatch.GetTimestamp();
                checksum += timeline.TakeCauses().Count + timeline.Current.Score;
                var t3 = Stopwatch.GetTimestamp();
                evaluate += t1 - t0;
                apply += t2 - t1;
                causes += t3 - t2;
            }

            timeline.AdvanceTo(now);
            checksum += timeline.TakeCauses().Count;
            var ms = total.Elapsed.TotalMilliseconds;
            var cpuMs = (Environment.CpuUsage.TotalTime - cpu).TotalMilliseconds;
            Console.WriteLine($"history pass {pass}: {findings.Count} rows in {ms:0.00} ms, CPU {cpuMs:0} ms (advance {Ms(evaluate):0.00}, apply {Ms(applyOnly):0.00}, evaluate {Ms(apply - applyOnly):0.00}, causes {Ms(causes):0.00}; checksum {checksum})");
            if (pass >= 3 && ms < best)
            {
                (best, bestAdvance, bestApply, bestEvaluate, bestCauses) = (ms, Ms(evaluate), Ms(applyOnly), Ms(apply - applyOnly), Ms(causes));
            }
        }

        Console.WriteLine($"RESULT history rows={findings.Count} ms={best:F2} advance_ms={bestAdvance:F2} apply_ms={bestApply:F2} evaluate_ms={bestEvaluate:F2} causes_ms={bestCauses:F2}");
    }

    private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}

using System.Diagnostics;
using SupplyChainWatch.Domain;

/// <summary>
/// The compact incremental state (<see cref="SubjectState"/>): per-signal apply cost with 10 and with 1,000 prior
/// signals, score-only re-evaluation per subject, and live bytes per subject after a full GC. Single thread; each figure
/// is the best of three passes after a warm-up.
/// </summary>
internal static class IncrementalBench
{
    public static void Run(RiskEngine engine, DateTimeOffset at, bool quick)
    {
        var scale = quick ? 10 : 1;
        Apply(engine, at, 2_000 / scale, 10, 20);
        Apply(engine, at, 200 / scale, 1_000, 20);
        Rescore(engine, at, 10_000 / scale, 100);
        Memory(engine, at, 5_000 / scale, 100);
    }

    private static SupplierState Build(RiskEngine engine, Random random, int signals, DateTimeOffset at, string id)
    {
        var (supplier, _) = Workload.Subject(random, signals, at);
        var state = new SupplierState(engine, id);
        state.SetProfile(supplier.Profile);
        foreach (var link in supplier.Recruiters)
        {
            state.SetRecruiterLink(link.RecruiterId, link.WorkforceShare);
            state.SetRecruiterScore(link.RecruiterId, link.RecruiterScore);
        }

        foreach (var f in supplier.Findings)
        {
            state.Apply(f);
        }

        foreach (var g in supplier.Grievances)
        {
            state.Apply(g);
        }

        foreach (var r in supplier.FeeReports)
        {
            state.Apply(r);
        }

        return state;
    }

    /// <summary>Applies <paramref name="newSignals"/> fresh signals to each of <paramref name="subjects"/> subjects with <paramref name="prior"/> signals: Apply alone, and Apply then Evaluate (what a grain does per signal).</summary>
    private static void Apply(RiskEngine engine, DateTimeOffset at, int subjects, int prior, int newSignals)
    {
        var random = new Random(prior);
        double bestApply = double.MaxValue, bestBoth = double.MaxValue;
        for (var pass = 0; pass < 4; pass++)
        {
            var states = Enumerable.Range(0, subjects).Select(i => Build(engine, random, prior, at, "sup:" + i)).ToArray();
            var fresh = Enumerable.Range(0, subjects).Select(_ => Workload.Subject(random, newSignals, at).Supplier).ToArray();
            var stopwatch = Stopwatch.StartNew();
            for (var i = 0; i < subjects; i++)
            {
                var state = states[i];
                var evidence = fresh[i];
                foreach (var f in evidence.Findings)
                {
                    state.Apply(f with { AuditId = "N" + f.AuditId });
                }

                foreach (var g in evidence.Grievances)
                {
                    state.Apply(g with { GrievanceId = "N" + g.GrievanceId });
                }

                foreach (var r in evidence.FeeReports)
                {
                    state.Apply(r with { ReportId = "N" + r.ReportId });
                }
            }

            var applyNs = stopwatch.Elapsed.TotalNanoseconds / (subjects * (double)newSignals);

            // Apply followed by a score-only evaluation "now" (a few seconds later each time), per signal.
            var fresh2 = Enumerable.Range(0, subjects).Select(_ => Workload.Subject(random, newSignals, at).Supplier).ToArray();
            long checksum = 0;
            stopwatch.Restart();
            for (var i = 0; i < subjects; i++)
            {
                var state = states[i];
                var now = at;
                foreach (var f in fresh2[i].Findings)
                {
                    state.Apply(f with { AuditId = "M" + f.AuditId });
                    checksum += state.Evaluate(now = now.AddSeconds(1)).Score;
                }

                foreach (var g in fresh2[i].Grievances)
                {
                    state.Apply(g with { GrievanceId = "M" + g.GrievanceId });
                    checksum += state.Evaluate(now = now.AddSeconds(1)).Score;
                }

                foreach (var r in fresh2[i].FeeReports)
                {
                    state.Apply(r with { ReportId = "M" + r.ReportId });
                    checksum += state.Evaluate(now = now.AddSeconds(1)).Score;
                }
            }

            var bothNs = stopwatch.Elapsed.TotalNanoseconds / (subjects * (double)newSignals);
            Console.WriteLine($"apply pass {pass}: prior {prior,5}: {applyNs,8:N0} ns/apply, {bothNs,8:N0} ns/apply+evaluate (checksum {checksum})");
            if (pass > 0)
            {
                bestApply = Math.Min(bestApply, applyNs);
                bestBoth = Math.Min(bestBoth, bothNs);
            }
        }

        Console.WriteLine($"RESULT apply prior={prior} ns_per_apply={bestApply:F0} applies_per_s={1e9 / bestApply:F0} ns_per_apply_and_evaluate={bestBoth:F0} per_s={1e9 / bestBoth:F0}");
    }

    /// <summary>Score-only evaluation of every subject: the same day as its last evaluation, and on a new day (cases re-derived).</summary>
    private static void Rescore(RiskEngine engine, DateTimeOffset at, int subjects, int signals)
    {
        var random = new Random(5);
        var states = Enumerable.Range(0, subjects).Select(i => Build(engine, random, signals, at, "sup:" + i)).ToArray();
        long checksum = 0;
        double bestSameDay = double.MaxValue, bestNewDay = double.MaxValue, bestExact = double.MaxValue;
        for (var pass = 0; pass < 4; pass++)
        {
            var sameDay = at.AddDays(pass * 2);
            foreach (var s in states)
            {
                checksum += s.Evaluate(sameDay).Score;
            }

            var stopwatch = Stopwatch.StartNew();
            foreach (var s in states)
            {
                checksum += s.Evaluate(sameDay.AddMinutes(5)).Score;
            }

            var sameDayUs = stopwatch.Elapsed.TotalMicroseconds / subjects;

            // A new day: every observation's period is re-checked, so each FL-1 case is classified again.
            var newDay = sameDay.AddDays(1);
            stopwatch.Restart();
            foreach (var s in states)
            {
                checksum += s.Evaluate(newDay).Score;
            }

            var newDayUs = stopwatch.Elapsed.TotalMicroseconds / subjects;

            // The term-by-term fallback, for comparison.
            stopwatch.Restart();
            foreach (var s in states)
            {
                checksum += s.ExactScoreBeforeFloor(newDay);
            }

            var exactUs = stopwatch.Elapsed.TotalMicroseconds / subjects;
            Console.WriteLine($"re-score pass {pass}: {subjects:N0} subjects x {signals}: same day {sameDayUs:N2} µs, new day {newDayUs:N2} µs, exact sum alone {exactUs:N2} µs (checksum {checksum})");
            if (pass > 0)
            {
                bestSameDay = Math.Min(bestSameDay, sameDayUs);
                bestNewDay = Math.Min(bestNewDay, newDayUs);
                bestExact = Math.Min(bestExact, exactUs);
            }
        }

        // The full engine over the same evidence, for comparison.
        var explainWatch = Stopwatch.StartNew();
        var explained = Math.Min(subjects, 1_000);
        for (var i = 0; i < explained; i++)
        {
            checksum += states[i].Explain(at).Score;
        }

        var explainUs = explainWatch.Elapsed.TotalMicroseconds / explained;
        Console.WriteLine($"RESULT rescore signals={signals} us_same_day={bestSameDay:F2} per_s={1e6 / bestSameDay:F0} us_new_day={bestNewDay:F2} per_s={1e6 / bestNewDay:F0} us_exact_sum={bestExact:F2} us_explain={explainUs:F1} (checksum {checksum})");
    }

    /// <summary>Live managed bytes per subject after a full GC, with the subjects' input records dropped.</summary>
    private static void Memory(RiskEngine engine, DateTimeOffset at, int subjects, int signals)
    {
        var random = new Random(9);
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var states = new SupplierState[subjects];
        for (var i = 0; i < subjects; i++)
        {
            states[i] = Build(engine, random, signals, at, "sup:" + i);
            states[i].Evaluate(at);
        }

        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(states);
        Console.WriteLine($"RESULT memory signals={signals} subjects={subjects} bytes_per_subject={(after - before) / (double)subjects:F0}");
    }
}

using System.Text;
using System.Text.Json;

namespace SupplyChainWatch.Probe.Hostile;

/// <summary>One line of a run's results file: a probe's outcome, or (Finding null) a phase's totals.</summary>
public sealed record ReportLine(string Phase, string? Finding, string? Probe, string? Verdict, string? Observed, int Requests, int ServerErrors, int NoAnswers, int LeakCount, string[]? Leaks);

/// <summary>The markdown table of a run against the old build and one against the new.</summary>
public static class Report
{
    private static List<ReportLine> Read(string path) =>
        [.. File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => JsonSerializer.Deserialize<ReportLine>(l)!)];

    public static string Table(string beforePath, string afterPath)
    {
        var before = Read(beforePath);
        var after = Read(afterPath);
        static string Cell(ReportLine? line) => line is null ? "–" : $"**{line.Verdict}**: {line.Observed!.Replace("|", "/", StringComparison.Ordinal)}";
        var text = new StringBuilder("| finding | probe | before (cc29e96) | after (main) |\n|---|---|---|---|\n");
        var keys = before.Concat(after).Where(l => l.Finding is not null).Select(l => (l.Finding!, l.Probe!)).Distinct()
            .OrderBy(k => int.Parse(k.Item1, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        foreach (var (finding, probe) in keys)
        {
            text.Append($"| {finding} | {probe.Replace("|", "\\|", StringComparison.Ordinal)} | {Cell(before.FirstOrDefault(l => l.Finding == finding && l.Probe == probe))} | {Cell(after.FirstOrDefault(l => l.Finding == finding && l.Probe == probe))} |\n");
        }

        text.Append("\n| | before (cc29e96) | after (main) |\n|---|---|---|\n");
        static (int Requests, int Errors, int NoAnswers, int Leaks, int Vulnerable, int Fixed) Totals(List<ReportLine> lines) =>
            (lines.Sum(l => l.Requests), lines.Sum(l => l.ServerErrors), lines.Sum(l => l.NoAnswers), lines.Sum(l => l.LeakCount), lines.Count(l => l.Verdict == "VULNERABLE"), lines.Count(l => l.Verdict == "FIXED"));
        var (b, a) = (Totals(before), Totals(after));
        text.Append($"| requests sent | {b.Requests} | {a.Requests} |\n| answers 5xx | {b.Errors} | {a.Errors} |\n| connections closed without an answer | {b.NoAnswers} | {a.NoAnswers} |\n| leaks (canary narrative/contact seen by a non-grievance role, webhook or SSE) | {b.Leaks} | {a.Leaks} |\n");
        text.Append($"| probes VULNERABLE / FIXED | {b.Vulnerable} / {b.Fixed} | {a.Vulnerable} / {a.Fixed} |\n");
        return text.ToString();
    }
}

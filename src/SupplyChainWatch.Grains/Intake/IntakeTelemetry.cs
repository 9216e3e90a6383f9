using System.Diagnostics;
using System.Diagnostics.Metrics;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Grains.Intake;

/// <summary>
/// What the one write path reports: a span around each evidence-log append (so a trace shows the durability point under
/// the request and the grain calls that follow it), the number of signals taken by outcome, and how long a submission
/// takes until every subject caught up. Counts and outcomes only: rows carry grievance narratives, so no content, key
/// or subject id is ever a tag.
/// </summary>
public static class IntakeTelemetry
{
    public const string ActivitySourceName = "SupplyChainWatch.Intake";

    /// <summary>The span name of an evidence-log append.</summary>
    public const string AppendActivityName = "evidence-log append";

    private static readonly ActivitySource Source = new(ActivitySourceName);
    private static readonly Counter<long> Signals = GrainMetrics.Meter.CreateCounter<long>("scw.ingest.signals", "{signal}", "Signals submitted, by outcome (appended, duplicate, conflict).");
    private static readonly Histogram<double> Duration = GrainMetrics.Meter.CreateHistogram<double>("scw.ingest.duration", "ms", "Time from a submission's append until its subjects caught up, by path (single, bulk).");

    internal static Activity? StartAppend(int signals, int rows)
    {
        var activity = Source.StartActivity(AppendActivityName, ActivityKind.Internal);
        activity?.SetTag("scw.signals", signals);
        activity?.SetTag("scw.rows", rows);
        return activity;
    }

    /// <summary>Tags the append span with the outcomes and counts the signals under theirs.</summary>
    internal static void RecordOutcomes(Activity? activity, IReadOnlyList<AppendResult> results)
    {
        var conflicts = 0;
        var duplicates = 0;
        foreach (var result in results)
        {
            var outcome = OutcomeName(result.Outcome);
            conflicts += outcome == "conflict" ? 1 : 0;
            duplicates += outcome == "duplicate" ? 1 : 0;
            Signals.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
        }

        activity?.SetTag("scw.conflicts", conflicts);
        activity?.SetTag("scw.duplicates", duplicates);
    }

    internal static void RecordDuration(long startTimestamp, bool bulk)
    {
        if (Duration.Enabled)
        {
            Duration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds, new KeyValuePair<string, object?>("path", bulk ? "bulk" : "single"));
        }
    }

    private static string OutcomeName(AppendOutcome outcome) => outcome switch
    {
        AppendOutcome.Conflict => "conflict",
        AppendOutcome.Duplicate => "duplicate",
        _ => "appended",
    };
}

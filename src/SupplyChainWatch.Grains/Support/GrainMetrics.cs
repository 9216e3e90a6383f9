using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace SupplyChainWatch.Grains;

/// <summary>
/// Where a subject grain's write turn spends its time, per stage (milliseconds): the benchmark's profile reads these with
/// <c>dotnet-counters collect --counters SupplyChainWatch.Grains</c>. Static because grains are created by Orleans and the
/// instruments cost nothing until a listener enables them.
/// </summary>
public static class GrainMetrics
{
    public const string MeterName = "SupplyChainWatch.Grains";

    /// <summary>The project's silo-side meter; intake adds its instruments to it (<see cref="Intake.IntakeTelemetry"/>).</summary>
    internal static readonly Meter Meter = new(MeterName);
    private static readonly Histogram<double> Stage = Meter.CreateHistogram<double>("scw.subject.stage.duration", "ms", "Time a subject grain spends in one stage of a write turn.");

    private static readonly Counter<long> QuarantinedRows = Meter.CreateCounter<long>("scw.evidence.quarantined", "{row}",
        "Evidence-log rows a subject grain could not read and left out of the score (see GET /api/v1/admin/quarantine).");

    private static readonly Counter<long> FailedSubjects = Meter.CreateCounter<long>("scw.subjects.failed", "{failure}",
        "Activations or evaluations of a subject grain that threw (the subject answers 500 until one succeeds; readiness entry 'subjects').");

    /// <summary>Counts one failed activation or evaluation, by stage.</summary>
    public static void RecordSubjectFailed(string stage) => FailedSubjects.Add(1, new KeyValuePair<string, object?>("stage", stage));

    private static readonly Histogram<double> DerivedLag = Meter.CreateHistogram<double>("scw.derived.lag", "ms",
        "Time from a signal's acknowledgement (its turn handing the derived writes over) to its escalations, read-model row and high-water mark being durable.");

    /// <summary>Records the lag of one derived write acknowledged at <paramref name="acknowledgedTimestamp"/>.</summary>
    public static void RecordDerivedLag(long acknowledgedTimestamp)
    {
        if (DerivedLag.Enabled)
        {
            DerivedLag.Record(Stopwatch.GetElapsedTime(acknowledgedTimestamp).TotalMilliseconds);
        }
    }

    /// <summary>Counts one quarantined row, by kind.</summary>
    public static void RecordQuarantined(string kind) => QuarantinedRows.Add(1, new KeyValuePair<string, object?>("kind", kind));

    /// <summary>Records the time since <paramref name="startTimestamp"/> under <paramref name="stage"/>.</summary>
    public static void Record(string stage, long startTimestamp)
    {
        if (Stage.Enabled)
        {
            Stage.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds, new KeyValuePair<string, object?>("stage", stage));
        }
    }
}

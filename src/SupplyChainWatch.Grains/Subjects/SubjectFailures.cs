using System.Collections.Concurrent;
using System.Data.Common;

namespace SupplyChainWatch.Grains.Subjects;

/// <summary>One subject whose last activation or evaluation on this silo threw.</summary>
/// <param name="SubjectKey"><c>sup:{id}</c> or <c>rec:{id}</c>.</param>
/// <param name="Stage"><c>activation</c> (snapshot load and log replay) or <c>evaluation</c> (the risk engine).</param>
/// <param name="ExceptionType">The exception's type name only: messages may quote stored content.</param>
/// <param name="At">When it failed (service clock).</param>
public sealed record FailingSubject(string SubjectKey, string Stage, string ExceptionType, DateTimeOffset At);

/// <summary>
/// The subjects failing on this silo, for readiness (<c>subjects</c> entry) and the <c>scw.subjects.failed</c> counter.
/// "Failing" means: the subject's last activation (snapshot load, log replay and the evaluation it ends with) or its
/// last evaluation threw, so its reads and writes answer 500 until it works again. Quarantined evidence is not a
/// failure (the subject keeps working; see <see cref="QuarantineRegistry"/>). A subject leaves the list when a later
/// activation or evaluation of it succeeds. In memory and per silo, like the quarantine list: each silo reports the
/// subjects it hosts.
/// </summary>
public sealed class SubjectFailures
{
    public const string ActivationStage = "activation";
    public const string EvaluationStage = "evaluation";

    private readonly ConcurrentDictionary<string, FailingSubject> _bySubject = new(StringComparer.Ordinal);

    /// <summary>Records a failure, unless it is the cluster's or the store's (see <see cref="IsInfrastructure"/>): answers whether it did.</summary>
    public bool Failed(string subjectKey, string stage, Exception exception, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (IsInfrastructure(exception))
        {
            return false;
        }

        _bySubject[subjectKey] = new FailingSubject(subjectKey, stage, exception.GetType().Name, at);
        GrainMetrics.RecordSubjectFailed(stage);
        return true;
    }

    /// <summary>
    /// Failures of the cluster or the store rather than of the subject: a silo going away mid-activation (Orleans'
    /// messaging, placement and reminder exceptions, timeouts) or the database (its own readiness entry reports it). The
    /// subject's next call activates it elsewhere or again, possibly on another silo, whose success this silo would never
    /// see: recorded here, such a failure would keep this silo unready for good (seen when one of three silos was killed).
    /// </summary>
    public static bool IsInfrastructure(Exception exception) =>
        exception is OrleansException or TimeoutException or DbException or OperationCanceledException
        || (exception is AggregateException aggregate && aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(IsInfrastructure));

    public void Succeeded(string subjectKey) => _bySubject.TryRemove(subjectKey, out _);

    public IReadOnlyList<FailingSubject> List() => [.. _bySubject.Values.OrderBy(s => s.SubjectKey, StringComparer.Ordinal)];
}

using System.Collections.Concurrent;

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

    public void Failed(string subjectKey, string stage, Exception exception, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(exception);
        _bySubject[subjectKey] = new FailingSubject(subjectKey, stage, exception.GetType().Name, at);
        GrainMetrics.RecordSubjectFailed(stage);
    }

    public void Succeeded(string subjectKey) => _bySubject.TryRemove(subjectKey, out _);

    public IReadOnlyList<FailingSubject> List() => [.. _bySubject.Values.OrderBy(s => s.SubjectKey, StringComparer.Ordinal)];
}

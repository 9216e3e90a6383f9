using System.Collections.Concurrent;
using SupplyChainWatch.Domain;

namespace SupplyChainWatch.Grains.Subjects;

/// <summary>One subject's quarantined signals, as an operator sees them.</summary>
public sealed record QuarantinedSubject(string SubjectKey, IReadOnlyList<QuarantinedSignal> Signals);

/// <summary>
/// The subjects of this silo whose last evaluation left signals out (see <see cref="RiskEvaluation.Quarantined"/>), for
/// <c>GET /api/v1/admin/quarantine</c>. In memory: a subject appears once it is activated and evaluated in this process
/// (re-scoring activates every subject), and the list of a multi-silo cluster is per silo.
/// </summary>
public sealed class QuarantineRegistry
{
    private readonly ConcurrentDictionary<string, IReadOnlyList<QuarantinedSignal>> _bySubject = new(StringComparer.Ordinal);

    public void Report(string subjectKey, IReadOnlyList<QuarantinedSignal> signals)
    {
        if (signals.Count == 0)
        {
            _bySubject.TryRemove(subjectKey, out _);
        }
        else
        {
            _bySubject[subjectKey] = signals;
        }
    }

    public IReadOnlyList<QuarantinedSubject> List() =>
        [.. _bySubject.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => new QuarantinedSubject(s.Key, s.Value))];
}

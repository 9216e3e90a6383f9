using Microsoft.Extensions.Options;
using SupplyChainWatch.Contracts;

namespace SupplyChainWatch.Grains.Subjects;

/// <summary>
/// The silo's bounded cache of risk answers, least recently used out. A subject grain no longer holds its explanation (it
/// was the largest part of an active subject's memory): it builds one when asked and leaves it here, keyed by the
/// subject and the version of its state, so that repeated reads of an unchanged subject get the same instance and the
/// API serialises it once (see <see cref="RiskAnswer"/>). Dropping an entry lets its bytes be collected with it.
/// </summary>
public sealed class RiskAnswerCache(IOptions<SubjectGrainOptions> options)
{
    private static long s_versions;

    private readonly int _capacity = Math.Max(0, options.Value.CachedAnswers);
    private readonly Dictionary<string, LinkedListNode<Entry>> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _recency = new();
    private readonly Lock _lock = new();

    /// <summary>A version number never handed out before in this process: a new activation never meets an old activation's answer.</summary>
    public static long NextVersion() => Interlocked.Increment(ref s_versions);

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>The cached answer for this version of the subject, unless it was evaluated more than <paramref name="maxAge"/> before <paramref name="now"/>.</summary>
    public RiskAnswer? Get(string subjectKey, long version, DateTimeOffset now, TimeSpan maxAge)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(subjectKey, out var node))
            {
                return null;
            }

            var entry = node.Value;
            if (entry.Version != version || now - entry.Answer.Evaluation.EvaluatedAt > maxAge || now < entry.Answer.Evaluation.EvaluatedAt)
            {
                return null;
            }

            _recency.Remove(node);
            _recency.AddFirst(node);
            return entry.Answer;
        }
    }

    public void Put(string subjectKey, long version, RiskAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        if (_capacity == 0)
        {
            return;
        }

        lock (_lock)
        {
            if (_entries.TryGetValue(subjectKey, out var existing))
            {
                _recency.Remove(existing);
            }

            var node = _recency.AddFirst(new Entry(subjectKey, version, answer));
            _entries[subjectKey] = node;
            while (_entries.Count > _capacity && _recency.Last is { } oldest)
            {
                _recency.RemoveLast();
                _entries.Remove(oldest.Value.SubjectKey);
            }
        }
    }

    private sealed record Entry(string SubjectKey, long Version, RiskAnswer Answer);
}

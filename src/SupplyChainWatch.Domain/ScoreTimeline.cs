namespace SupplyChainWatch.Domain;

/// <summary>One thing that moved a score and by how many points: a signal's row, or a time effect.</summary>
/// <param name="Cause">The row's kind, or one of the time effects of <see cref="ScoreTimeline"/>.</param>
/// <param name="SignalId">The signal the row concerns, the recruiter whose score propagated; null for decay and deadlines.</param>
/// <param name="Points">Score points (negative: down).</param>
public sealed record ScoreCause(string Cause, string? SignalId, int Points);

/// <summary>
/// A subject's score walked forward in time over its compact incremental state (<see cref="SubjectState"/>), one change
/// at a time: each change costs the state's amortised O(1) apply plus a few score-only evaluations, so a history of n
/// rows is O(n) overall. Every movement of the score is attributed, exactly (the causes of a stretch add up to its
/// score change): to the change itself, to a corrective-action deadline passing (the management term counts it as
/// overdue from that day), to a linked recruiter's new score, or else to time alone (decay, and cases changing as
/// their evidence ages).
/// Not thread-safe.
/// </summary>
public sealed class ScoreTimeline
{
    /// <summary>Time alone moved the score: signals aging (decay), cases changing as their evidence ages.</summary>
    public const string Decay = "decay";

    /// <summary>An open corrective action's deadline passed: it counts as overdue from that day.</summary>
    public const string DeadlinePassed = "deadline-passed";

    /// <summary>A linked recruiter's score changed, and with it the supplier's propagated term.</summary>
    public const string RecruiterPropagation = "recruiter-propagation";

    private readonly List<ScoreCause> _pending = [];

    public ScoreTimeline(SubjectState state, DateTimeOffset start)
    {
        ArgumentNullException.ThrowIfNull(state);
        State = state;
        At = start;
        Current = state.Evaluate(start);
    }

    public SubjectState State { get; }

    /// <summary>The instant the timeline has reached.</summary>
    public DateTimeOffset At { get; private set; }

    /// <summary>The evaluation at <see cref="At"/> with every change applied so far.</summary>
    public RiskSummary Current { get; private set; }

    /// <summary>
    /// Moves to <paramref name="at"/> with no new evidence: the score change is split at each deadline on the way into the
    /// deadline's jump and the time effect (decay) before it. Earlier instants are ignored (rows of one submission share one).
    /// </summary>
    public void AdvanceTo(DateTimeOffset at)
    {
        while (at > At && State.NextDeadlineAfter(At) is { } deadline && deadline <= at)
        {
            Record(Decay, null, State.Evaluate(deadline.AddTicks(-1)));
            Record(DeadlinePassed, null, State.Evaluate(deadline));
            At = deadline;
        }

        if (at > At)
        {
            Record(Decay, null, State.Evaluate(at));
            At = at;
        }
    }

    /// <summary>Applies a change at <see cref="At"/> and records what it did under <paramref name="cause"/>.</summary>
    public void Apply(string cause, string? signalId, Action<SubjectState> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        change(State);
        Record(cause, signalId, State.Evaluate(At));
    }

    /// <summary>The causes recorded since the last call (same cause and signal merged, time effects of zero points left out), then forgets them.</summary>
    public IReadOnlyList<ScoreCause> TakeCauses()
    {
        var merged = new List<ScoreCause>(_pending.Count);
        foreach (var cause in _pending)
        {
            var same = merged.FindIndex(c => c.Cause == cause.Cause && c.SignalId == cause.SignalId);
            if (same >= 0)
            {
                merged[same] = merged[same] with { Points = merged[same].Points + cause.Points };
            }
            else
            {
                merged.Add(cause);
            }
        }

        _pending.Clear();
        // A change says what it was even when it moved nothing; a time effect that moved nothing is no cause.
        merged.RemoveAll(c => c.Points == 0 && c.Cause is Decay or DeadlinePassed or RecruiterPropagation);
        return merged;
    }

    private void Record(string cause, string? signalId, RiskSummary next)
    {
        _pending.Add(new ScoreCause(cause, signalId, next.Score - Current.Score));
        Current = next;
    }
}

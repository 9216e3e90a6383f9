namespace SupplyChainWatch.Domain;

/// <summary>
/// A finding's or grievance's status as it stands: the status and the date it took effect (before any change, a
/// finding's status dates from its audit's end date and a grievance's from the day it was received).
/// </summary>
/// <param name="Status">The status now.</param>
/// <param name="Since">The date of the change that set it.</param>
public readonly record struct DatedStatus<TStatus>(TStatus Status, DateOnly Since)
    where TStatus : struct, Enum;

/// <summary>Why a status change is refused.</summary>
public enum TransitionRefusal
{
    /// <summary>The change sets the status already in force (on another date; the same date is a replay of it).</summary>
    SameStatus,

    /// <summary>The status in force is final: a closed grievance.</summary>
    Final,

    /// <summary>The lifecycle does not lead from the current status to the requested one.</summary>
    Backwards,

    /// <summary>The change is dated before the change that set the current status.</summary>
    BeforeCurrent,
}

/// <summary>A refused status change: the rule it breaks and, in words, why.</summary>
/// <param name="Reason">The rule.</param>
/// <param name="Why">A sentence fragment for the answer, after the current status and its date.</param>
public sealed record RefusedTransition(TransitionRefusal Reason, string Why);

/// <summary>
/// The one owner of the lifecycle rules of findings and grievances: which status changes the service records and why it
/// refuses the others. A status history is evidence (it drives decay, deadlines and escalations), so it must read as a
/// story that happened: forward in time, without a status set twice, without a final status undone.
/// <list type="bullet">
/// <item>A finding goes open → remediated → verified-remediated, steps may be skipped (an auditor may verify a remediation
/// directly). A remediated or verified-remediated finding may be reopened (open) when a later audit finds it again; a
/// verified remediation is not demoted to an unverified one (reopen it instead).</item>
/// <item>A grievance goes received → acknowledged → investigating → resolved → closed, steps may be skipped. A resolved
/// grievance may go back to investigating when it is reopened; closed is final.</item>
/// <item>A change is never dated before the change that set the current status (the same day is fine: acknowledged and
/// investigating on one day), and never sets the status already in force.</item>
/// </list>
/// An exact replay (the same change again: same status and date, so the same idempotency key) is not a move and is not
/// judged here: the caller recognises it by its key, and the evidence log answers it as it answered the first time.
/// </summary>
public static class StatusTransitions
{
    private const string SameStatusWhy = "a change must move it to another status";
    private const string BeforeCurrentWhy = "a change must not be dated before that";

    /// <summary>Null when a finding may move from <paramref name="current"/> to <paramref name="next"/> on <paramref name="on"/>.</summary>
    public static RefusedTransition? Finding(DatedStatus<FindingStatus> current, FindingStatus next, DateOnly on)
    {
        if (current.Status == next)
        {
            return new RefusedTransition(TransitionRefusal.SameStatus, SameStatusWhy);
        }

        if (!Leads(current.Status, next))
        {
            return new RefusedTransition(TransitionRefusal.Backwards, "a verified remediation is undone only by reopening the finding (open)");
        }

        return on < current.Since ? new RefusedTransition(TransitionRefusal.BeforeCurrent, BeforeCurrentWhy) : null;
    }

    /// <summary>Null when a grievance may move from <paramref name="current"/> to <paramref name="next"/> on <paramref name="on"/>.</summary>
    public static RefusedTransition? Grievance(DatedStatus<GrievanceStatus> current, GrievanceStatus next, DateOnly on)
    {
        if (current.Status == next)
        {
            return new RefusedTransition(TransitionRefusal.SameStatus, SameStatusWhy);
        }

        if (current.Status == GrievanceStatus.Closed)
        {
            return new RefusedTransition(TransitionRefusal.Final, "a closed grievance is final");
        }

        if (!Leads(current.Status, next))
        {
            return new RefusedTransition(TransitionRefusal.Backwards, "a grievance moves forward only (a resolved one may go back to investigating when reopened)");
        }

        return on < current.Since ? new RefusedTransition(TransitionRefusal.BeforeCurrent, BeforeCurrentWhy) : null;
    }

    /// <summary>Whether the finding lifecycle leads from one status to another, whatever the dates.</summary>
    public static bool Leads(FindingStatus from, FindingStatus to) => (from, to) switch
    {
        _ when from == to => false,
        (FindingStatus.Open, _) => true,
        (FindingStatus.Remediated, FindingStatus.VerifiedRemediated or FindingStatus.Open) => true,
        (FindingStatus.VerifiedRemediated, FindingStatus.Open) => true,
        _ => false,
    };

    /// <summary>Whether the grievance lifecycle leads from one status to another, whatever the dates.</summary>
    public static bool Leads(GrievanceStatus from, GrievanceStatus to) => (from, to) switch
    {
        (GrievanceStatus.Closed, _) => false,
        (GrievanceStatus.Resolved, GrievanceStatus.Investigating) => true,
        // GrievanceStatus is declared in lifecycle order, so forward is a larger value.
        _ => to > from,
    };
}

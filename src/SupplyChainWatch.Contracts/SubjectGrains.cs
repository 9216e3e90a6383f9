using Orleans.Concurrency;
using SupplyChainWatch.Domain;

namespace SupplyChainWatch.Contracts;

/// <summary>What a subject grain knows beyond its score: profile and relationships.</summary>
[GenerateSerializer, Immutable]
public sealed record SubjectOverview(
    [property: Id(0)] string SubjectId,
    [property: Id(1)] bool Known,
    [property: Id(2)] SupplierProfile? SupplierProfile,
    [property: Id(3)] RecruiterProfile? RecruiterProfile,
    [property: Id(4)] IReadOnlyList<LinkView> Links,
    [property: Id(5)] int SignalCount,
    [property: Id(6)] long EvidenceSeq);

/// <summary>
/// A risk evaluation as a risk query answers it. Immutable, so a call inside the silo hands over the grain's own
/// instance instead of deep-copying it (the evaluation crosses grain calls as JSON, so a copy is a serialise and a
/// parse): the API then serialises the same instance once for all the reads that get it.
/// </summary>
/// <param name="Evaluation">The full evaluation; redact it with <see cref="ConsentRules"/> before showing it to anyone but grievance handlers.</param>
/// <param name="GrievanceConsents">Every grievance the evaluation may name, with its consent (null when unknown, which withholds).</param>
[GenerateSerializer, Immutable]
public sealed record RiskAnswer([property: Id(0)] RiskEvaluation Evaluation, [property: Id(1)] IReadOnlyDictionary<string, GrievanceConsent?> GrievanceConsents)
{
    /// <summary>The evaluation as <paramref name="audience"/> may see it.</summary>
    public RiskEvaluation For(DisclosureAudience audience) => ConsentRules.Redact(Evaluation, ConsentRules.Withheld(GrievanceConsents, audience));
}

/// <summary>
/// One page of a subject's score history: a point per change, in time order, at most 1,000 a page; NextAfterSeq is
/// set when the window holds more.
/// </summary>
/// <param name="SubjectId">Subject key (<c>sup:…</c> or <c>rec:…</c>).</param>
/// <param name="Points">The points of this page, oldest first.</param>
/// <param name="NextAfterSeq">Where the next page starts; null on the last page.</param>
[GenerateSerializer, Immutable, Alias("RiskHistory")]
public sealed record RiskHistory(
    [property: Id(0)] string SubjectId,
    [property: Id(1)] IReadOnlyList<RiskHistoryPoint> Points,
    [property: Id(2)] long? NextAfterSeq);

/// <summary>
/// The evaluation right after one evidence-log row (or, as the last point, at the window's end when time alone moved
/// the score since the last row), and what moved it since the previous point: delta is exactly the sum of the causes'
/// points, time effects (decay, deadlines passing, recruiter scores propagating) apart from the row's own effect.
/// </summary>
/// <param name="Seq">The subject sequence of the row (the paging cursor refers to it); the window-end point repeats the last row's.</param>
/// <param name="At">The instant the row was recorded (the window's end for the last point of time effects).</param>
/// <param name="Score">The score right after this point.</param>
/// <param name="Band">The band right after this point.</param>
/// <param name="ForcedLabour">The forced-labour classification right after this point.</param>
/// <param name="Delta">Score change from the previous point (for the subject's first row, from the score of no evidence).</param>
/// <param name="Causes">What made the delta, each with its points; they add up to delta.</param>
[GenerateSerializer, Immutable, Alias("RiskHistoryPoint")]
public sealed record RiskHistoryPoint(
    [property: Id(0)] long Seq,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] int Score,
    [property: Id(3)] RiskBand Band,
    [property: Id(4)] ForcedLabourClassification ForcedLabour,
    [property: Id(5)] int Delta,
    [property: Id(6)] IReadOnlyList<RiskHistoryCause> Causes);

/// <summary>
/// What moved a point and by how many points: an evidence-log row (cause is its kind: finding, finding-status,
/// grievance, grievance-status, fee-report, profile, link; signalId the signal it concerns) or a time effect
/// (decay, deadline-passed, recruiter-propagation). Ids and codes only, never a narrative.
/// </summary>
/// <param name="Cause">The row's kind or the time effect.</param>
/// <param name="SignalId">The signal (audit/finding, grievance or fee-report id), or the recruiter (<c>rec:…</c>) whose score propagated; null for decay, deadlines, profiles and links.</param>
/// <param name="Points">Points this cause moved the score by (negative: down).</param>
[GenerateSerializer, Immutable, Alias("RiskHistoryCause")]
public sealed record RiskHistoryCause(
    [property: Id(0)] string Cause,
    [property: Id(1)] string? SignalId,
    [property: Id(2)] int Points);

public static class RiskHistoryLimits
{
    /// <summary>Points in one answer; a larger window is paged.</summary>
    public const int MaxPoints = 1000;
}

/// <summary>A supplier-recruiter relationship seen from either side.</summary>
[GenerateSerializer, Immutable]
public sealed record LinkView(
    [property: Id(0)] string SupplierId,
    [property: Id(1)] string RecruiterId,
    [property: Id(2)] double WorkforceShare);

public enum LinkOutcome
{
    Linked,
    Unchanged,
    SharesExceedOne,
}

[GenerateSerializer, Immutable]
public sealed record LinkResult(
    [property: Id(0)] LinkOutcome Outcome,
    [property: Id(1)] double TotalShare);

/// <summary>
/// Operations common to both subject kinds. Calls between subject grains only go supplier → recruiter awaited
/// or recruiter → supplier one-way, so no await cycle (and no deadlock) can form.
/// </summary>
public interface ISubjectGrain : IGrainWithStringKey
{
    /// <summary>Applies evidence-log rows the caller has just appended; reads any gap from the log.</summary>
    Task CatchUpAsync(IReadOnlyList<EvidenceEntry> appended);

    /// <remarks>
    /// Reads interleave with writes: a catch-up spends most of its turn awaiting durable writes (escalations, read
    /// model, snapshot), and a dashboard poll must not queue behind them. Reads only look at in-memory state that a
    /// write changes synchronously between its awaits, so they see the state before or after a row, never half of one.
    /// </remarks>
    [AlwaysInterleave]
    Task<SubjectOverview> GetOverviewAsync();

    /// <summary>The current score alone: what a supplier pulls from its recruiters when it activates.</summary>
    [AlwaysInterleave]
    Task<int> GetScoreAsync();

    /// <summary>
    /// The current risk, or the risk as it stood at <paramref name="asOf"/> recomputed from the evidence log; null when
    /// nothing is recorded about the subject (one call answers both, which keeps the risk query to one grain call).
    /// </summary>
    [AlwaysInterleave]
    Task<RiskAnswer?> GetRiskAsync(DateTimeOffset? asOf);

    /// <summary>
    /// The risk as the world stood at <paramref name="dated"/>: the evidence whose own dates (an audit's end date, a
    /// grievance's receipt, a status change's date, a worker's recruitment date) fall by then, whenever it was recorded,
    /// evaluated at that instant (at most now). Profiles and links carry no date and always count. Null as for
    /// <see cref="GetRiskAsync"/>.
    /// </summary>
    [AlwaysInterleave]
    Task<RiskAnswer?> GetRiskDatedAsync(DateTimeOffset dated);

    /// <summary>
    /// The score history from the evidence log: one point per row recorded in [<paramref name="from"/>,
    /// <paramref name="to"/>] after subject sequence <paramref name="afterSeq"/> (the paging cursor), at most
    /// <see cref="RiskHistoryLimits.MaxPoints"/>. Null as for <see cref="GetRiskAsync"/>.
    /// </summary>
    [AlwaysInterleave]
    [Alias("GetRiskHistoryAsync")]
    Task<RiskHistory?> GetRiskHistoryAsync(DateTimeOffset from, DateTimeOffset to, long afterSeq);

    /// <summary>Re-evaluates with the risk model now loaded (after a model change); true when the result changed.</summary>
    Task<bool> RescoreAsync();

    /// <summary>Time-driven checks: decay across band boundaries, overdue acknowledgements and corrective actions.</summary>
    Task RunTimeChecksAsync();
}

public interface ISupplierGrain : ISubjectGrain
{
    /// <summary>Sets a recruiter's share of this supplier's workforce, refusing a total above 1.</summary>
    Task<LinkResult> LinkRecruiterAsync(string recruiterId, double workforceShare);

    /// <summary>
    /// A linked recruiter's score changed. One-way, so the recruiter never waits on a supplier; the supplier then pulls
    /// the score itself, because one-way messages may arrive out of order and a pushed value could be stale.
    /// </summary>
    [OneWay]
    Task RecruiterScoreChangedAsync(string recruiterId);
}

public interface IRecruiterGrain : ISubjectGrain
{
    /// <summary>A supplier the recruiter places workers with changed sector (it feeds the recruiter's inherent risk).</summary>
    [OneWay]
    Task SupplierSectorChangedAsync(string supplierId, Sector? sector);
}

public static class SubjectGrainFactoryExtensions
{
    /// <summary>The grain of a subject key: a supplier's for "sup:…", a recruiter's for "rec:…".</summary>
    public static ISubjectGrain GetSubjectGrain(this IGrainFactory grains, string subjectKey)
    {
        ArgumentNullException.ThrowIfNull(grains);
        return SubjectKeys.IsSupplier(subjectKey) ? grains.GetGrain<ISupplierGrain>(subjectKey) : grains.GetGrain<IRecruiterGrain>(subjectKey);
    }
}

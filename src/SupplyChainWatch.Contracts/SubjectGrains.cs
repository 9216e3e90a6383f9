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

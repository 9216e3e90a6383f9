using SupplyChainWatch.Contracts;
using SupplyChainWatch.Grains;
using SupplyChainWatch.Grains.Storage;

namespace SupplyChainWatch.Api.Features.Shared;

/// <summary>One evidence-log row as the submitter sees it: proof of what was recorded, and where in the chain.</summary>
/// <param name="SubjectId">The supplier or recruiter id.</param>
/// <param name="SubjectType"><c>supplier</c> or <c>recruiter</c>.</param>
/// <param name="IdempotencyKey">The key the row is stored under.</param>
/// <param name="SubjectSeq">Position in the subject's hash chain.</param>
/// <param name="RowHash">SHA-256 of the row, chained to the previous row of the subject.</param>
public sealed record EvidenceReceipt(string SubjectId, string SubjectType, string IdempotencyKey, long SubjectSeq, string RowHash);

public abstract record Submission
{
    public sealed record Accepted(IReadOnlyList<EvidenceReceipt> Evidence) : Submission;

    public sealed record Conflicting(IReadOnlyList<string> Keys) : Submission;
}

/// <summary>
/// The durability point of every submission: append to the evidence log (durable when this returns), then
/// let each subject grain apply its rows. A duplicate is caught up too, which heals a crash between the two.
/// </summary>
public sealed class EvidenceSubmitter(IEvidenceLog evidenceLog, IGrainFactory grains, ServiceClock clock)
{
    public async Task<Submission> SubmitAsync(IReadOnlyList<EvidenceAppend> rows, CancellationToken cancellationToken)
    {
        var result = await evidenceLog.AppendAsync(rows, cancellationToken);
        if (result.Outcome == AppendOutcome.Conflict)
        {
            return new Submission.Conflicting(result.ConflictingKeys);
        }

        await Task.WhenAll(rows.Select(r => r.SubjectId).Distinct(StringComparer.Ordinal)
            .Select(subjectKey => Grain(subjectKey).CatchUpAsync(EvidenceEntries.For(result.Rows, subjectKey))));

        return new Submission.Accepted([.. result.Rows.Select(Receipt)]);
    }

    /// <summary>
    /// PUT of a subject's profile: the same profile again writes nothing; a different one is a new log row
    /// under a fresh key (setting A, then B, then A again records three changes). Returns the subject after
    /// the change and whether it was new.
    /// </summary>
    public async Task<(SubjectOverview Overview, bool Created)> PutProfileAsync<TProfile>(
        string subjectKey, TProfile profile, Func<SubjectOverview, TProfile?> currentProfile, CancellationToken cancellationToken)
        where TProfile : class
    {
        var grain = Grain(subjectKey);
        var before = await grain.GetOverviewAsync();
        var content = EvidenceJson.Serialize(profile);
        if (currentProfile(before) is not { } current || EvidenceJson.Serialize(current) != content)
        {
            await SubmitAsync([new EvidenceAppend(subjectKey, $"profile:{Guid.NewGuid():N}", EvidenceKinds.Profile, content, clock.Now)], cancellationToken);
        }

        return (await grain.GetOverviewAsync(), before.EvidenceSeq == 0);
    }

    public ISubjectGrain Grain(string subjectKey) =>
        SubjectKeys.IsSupplier(subjectKey)
            ? grains.GetGrain<ISupplierGrain>(subjectKey)
            : grains.GetGrain<IRecruiterGrain>(subjectKey);

    private static EvidenceReceipt Receipt(EvidenceRow row) => new(
        SubjectKeys.IdOf(row.SubjectId),
        SubjectKeys.IsSupplier(row.SubjectId) ? "supplier" : "recruiter",
        row.IdempotencyKey,
        row.SubjectSeq,
        row.RowHash);
}

using SupplyChainWatch.Contracts;
using SupplyChainWatch.Domain;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Grains.Subjects;

/// <summary>Live risk of one supplier site. Key: <c>sup:{supplierId}</c>.</summary>
public sealed class SupplierGrain(
    [PersistentState("supplier", StorageSiloBuilderExtensions.GrainStorageName)] IPersistentState<SubjectSnapshot> state,
    SubjectServices services)
    : SubjectGrain<SupplierDocument, SupplierState>(state, services), ISupplierGrain
{
    private bool _sectorChanged;

    protected override SupplierState NewCompact() => new(Services.Engine, SubjectId);

    protected override void MirrorProfile() => Compact.SetProfile(Document.Profile);

    protected override void MirrorLink(string counterpartId)
    {
        // A re-link keeps the recruiter's last score in both the document and the compact state.
        Compact.SetRecruiterLink(counterpartId, Document.Recruiters[counterpartId].WorkforceShare);
        Compact.SetRecruiterScore(counterpartId, Document.Recruiters[counterpartId].RecruiterScore);
    }

    protected override void MirrorLinks()
    {
        foreach (var (recruiterId, link) in Document.Recruiters)
        {
            Compact.SetRecruiterLink(recruiterId, link.WorkforceShare);
            Compact.SetRecruiterScore(recruiterId, link.RecruiterScore);
        }
    }

    /// <summary>A recruiter's pushed score, in the document (the snapshot) and the compact state alike.</summary>
    private void SetRecruiterScore(string recruiterId, SupplierRecruiterLink link, int score)
    {
        Document.Recruiters[recruiterId] = link with { RecruiterScore = score };
        Compact.SetRecruiterScore(recruiterId, score);
        Changed();
    }

    protected override RiskEvaluation Evaluate(SupplierDocument document, DateTimeOffset at) =>
        Services.Engine.EvaluateSupplier(SubjectId, document.ToEvidence(), at);

    protected override async Task<IReadOnlyList<RecruiterScoreChange>> RecruiterScoreChangesAsync(DateTimeOffset to)
    {
        // Each linked recruiter's score over time from its own history (its log, one pass), merged by instant.
        var changes = new List<RecruiterScoreChange>();
        foreach (var recruiterId in Document.Recruiters.Keys)
        {
            var recruiter = GrainFactory.GetGrain<IRecruiterGrain>(SubjectKeys.Recruiter(recruiterId));
            for (long? after = 0; after is { } afterSeq;)
            {
                var page = await recruiter.GetRiskHistoryAsync(DateTimeOffset.MinValue, to, afterSeq);
                changes.AddRange(page?.Points.Select(p => new RecruiterScoreChange(p.At, recruiterId, p.Score)) ?? []);
                after = page?.NextAfterSeq;
            }
        }

        return [.. changes.OrderBy(c => c.At)];
    }

    protected override SubjectSummary Summarize(RiskSummary evaluation, DateTimeOffset updatedAt) => new(
        SubjectId,
        "supplier",
        Document.Profile?.Name,
        Document.Profile?.Country,
        Document.Profile?.Sector is { } sector ? EnumText.Of(sector) : null,
        evaluation.Score,
        EnumText.Of(evaluation.Band),
        EnumText.Of(evaluation.ForcedLabour),
        updatedAt);

    protected override SubjectOverview Overview() => new(
        SubjectId,
        Document.HasProfile,
        Document.Profile,
        null,
        [.. Document.Recruiters.Select(r => new LinkView(SubjectId, r.Key, r.Value.WorkforceShare))],
        Document.SignalCount,
        AppliedSeq);

    protected override void BeforeApply(EvidenceEntry entry)
    {
        if (entry.Kind == EvidenceKinds.Profile)
        {
            var profile = EvidenceJson.Deserialize<SupplierProfile>(entry.ContentJson);
            _sectorChanged |= profile.Sector != Document.Profile?.Sector;
        }
    }

    protected override void PrepareAsOfDocument(SupplierDocument asOfDocument)
    {
        // Recruiter scores are pushed to the supplier, not logged: "as of" uses the latest known ones.
        foreach (var (recruiterId, link) in asOfDocument.Recruiters.ToList())
        {
            if (Document.Recruiters.TryGetValue(recruiterId, out var known))
            {
                asOfDocument.Recruiters[recruiterId] = link with { RecruiterScore = known.RecruiterScore };
            }
        }
    }

    protected override Task AfterEvaluatedAsync(RiskBasis? previous, RiskBasis current)
    {
        if (_sectorChanged)
        {
            _sectorChanged = false;
            foreach (var recruiterId in Document.Recruiters.Keys)
            {
                _ = GrainFactory.GetGrain<IRecruiterGrain>(SubjectKeys.Recruiter(recruiterId))
                    .SupplierSectorChangedAsync(SubjectId, Document.Profile?.Sector);
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Recruiter scores arrive one-way, so a push can be lost when a silo dies; pulling them on activation closes
    /// that gap. Supplier → recruiter is the awaited direction, so this cannot deadlock.
    /// </summary>
    protected override async Task AfterActivationAsync()
    {
        var changed = false;
        foreach (var (recruiterId, link) in Document.Recruiters.ToList())
        {
            var score = await GrainFactory.GetGrain<IRecruiterGrain>(SubjectKeys.Recruiter(recruiterId)).GetScoreAsync();
            if (score != link.RecruiterScore)
            {
                SetRecruiterScore(recruiterId, link, score);
                changed = true;
            }
        }

        if (changed)
        {
            await RecomputeWithoutNewEvidenceAsync();
        }
    }

    public async Task<LinkResult> LinkRecruiterAsync(string recruiterId, double workforceShare)
    {
        var others = Document.Recruiters.Where(r => r.Key != recruiterId).Sum(r => r.Value.WorkforceShare);
        var total = others + workforceShare;
        if (total > 1.0 + 1e-9)
        {
            return new LinkResult(LinkOutcome.SharesExceedOne, others);
        }

        if (Document.Recruiters.TryGetValue(recruiterId, out var existing) && existing.WorkforceShare == workforceShare)
        {
            return new LinkResult(LinkOutcome.Unchanged, total);
        }

        var content = EvidenceJson.Serialize(new EvidenceContent.Link(SubjectId, recruiterId, workforceShare, Document.Profile?.Sector));
        var now = Services.Clock.Now;
        // A relationship can be set many times; each setting is its own log row (the latest wins on replay).
        var key = IdempotencyKeys.Link(SubjectId, recruiterId, Guid.NewGuid());
        var recruiterKey = SubjectKeys.Recruiter(recruiterId);
        var result = await Services.EvidenceLog.AppendAsync(
        [
            new EvidenceAppend(SubjectKey, key, EvidenceKinds.Link, content, now),
            new EvidenceAppend(recruiterKey, key, EvidenceKinds.Link, content, now),
        ]);

        await CatchUpAsync(EvidenceEntries.For(result.Rows, SubjectKey));
        await GrainFactory.GetGrain<IRecruiterGrain>(recruiterKey).CatchUpAsync(EvidenceEntries.For(result.Rows, recruiterKey));
        return new LinkResult(LinkOutcome.Linked, total);
    }

    public async Task RecruiterScoreChangedAsync(string recruiterId)
    {
        if (!Document.Recruiters.TryGetValue(recruiterId, out var link))
        {
            return;
        }

        var recruiterScore = await GrainFactory.GetGrain<IRecruiterGrain>(SubjectKeys.Recruiter(recruiterId)).GetScoreAsync();
        if (link.RecruiterScore == recruiterScore)
        {
            return;
        }

        SetRecruiterScore(recruiterId, link, recruiterScore);
        await RecomputeWithoutNewEvidenceAsync();
    }
}

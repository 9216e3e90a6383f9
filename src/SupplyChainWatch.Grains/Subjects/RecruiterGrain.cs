using SupplyChainWatch.Contracts;
using SupplyChainWatch.Domain;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Grains.Subjects;

/// <summary>Live risk of one labour recruiter. Key: <c>rec:{recruiterId}</c>.</summary>
public sealed class RecruiterGrain(
    [PersistentState("recruiter", StorageSiloBuilderExtensions.GrainStorageName)] IPersistentState<SubjectSnapshot> state,
    SubjectServices services)
    : SubjectGrain<RecruiterDocument, RecruiterState>(state, services), IRecruiterGrain
{
    private readonly HashSet<string> _newlyLinkedSuppliers = new(StringComparer.Ordinal); // Any link row: push the score.
    private readonly HashSet<string> _firstLinkedSuppliers = new(StringComparer.Ordinal); // Not linked before: high-risk-linked news.

    protected override RiskEvaluation Evaluate(RecruiterDocument document, DateTimeOffset at) =>
        Services.Engine.EvaluateRecruiter(SubjectId, document.ToEvidence(), at);

    protected override RecruiterState NewCompact() => new(Services.Engine, SubjectId);

    protected override void MirrorProfile() => Compact.SetProfile(Document.Profile);

    protected override void MirrorLink(string counterpartId)
    {
        var link = Document.Suppliers[counterpartId];
        Compact.SetSupplierLink(counterpartId, link.WorkforceShare, link.SupplierSector);
    }

    protected override void MirrorLinks()
    {
        foreach (var (supplierId, link) in Document.Suppliers)
        {
            Compact.SetSupplierLink(supplierId, link.WorkforceShare, link.SupplierSector);
        }
    }

    /// <summary>A recruiter's fee groups also need every amount converted, as the engine converts them.</summary>
    protected override bool IsUsable(FeeReport report) =>
        base.IsUsable(report) && FeeArithmetic.TryCompute(report, Services.Engine.Tables.Currency, out _) is not null;

    protected override SubjectSummary Summarize(RiskSummary evaluation, DateTimeOffset updatedAt) => new(
        SubjectId,
        "recruiter",
        Document.Profile?.Name,
        Document.Profile?.Country,
        null,
        evaluation.Score,
        EnumText.Of(evaluation.Band),
        EnumText.Of(evaluation.ForcedLabour),
        updatedAt);

    protected override SubjectOverview Overview() => new(
        SubjectId,
        Document.HasProfile,
        null,
        Document.Profile,
        [.. Document.Suppliers.Select(s => new LinkView(s.Key, SubjectId, s.Value.WorkforceShare))],
        Document.SignalCount,
        AppliedSeq);

    protected override IReadOnlyList<string> LinkedSupplierIds => [.. Document.Suppliers.Keys];

    protected override IReadOnlyCollection<string> NewlyLinkedSupplierIds => _firstLinkedSuppliers;

    protected override void BeforeApply(EvidenceEntry entry)
    {
        if (entry.Kind == EvidenceKinds.Link)
        {
            var supplierId = EvidenceJson.Deserialize<EvidenceContent.Link>(entry.ContentJson).SupplierId;
            _newlyLinkedSuppliers.Add(supplierId);
            // A link whose consequences are stored already (a replay up to the derived mark) is no news any more.
            if (!Document.Suppliers.ContainsKey(supplierId) && entry.SubjectSeq > DerivedSeq)
            {
                _firstLinkedSuppliers.Add(supplierId);
            }
        }
    }

    /// <summary>Pushes the score to suppliers one-way: a supplier may be awaiting this recruiter right now.</summary>
    protected override Task AfterEvaluatedAsync(RiskBasis? previous, RiskBasis current)
    {
        var scoreChanged = previous is null || previous.Score != current.Score;
        foreach (var supplierId in Document.Suppliers.Keys)
        {
            if (scoreChanged || _newlyLinkedSuppliers.Contains(supplierId))
            {
                _ = GrainFactory.GetGrain<ISupplierGrain>(SubjectKeys.Supplier(supplierId))
                    .RecruiterScoreChangedAsync(SubjectId);
            }
        }

        _newlyLinkedSuppliers.Clear();
        _firstLinkedSuppliers.Clear();
        return Task.CompletedTask;
    }

    public async Task SupplierSectorChangedAsync(string supplierId, Sector? sector)
    {
        if (!Document.Suppliers.TryGetValue(supplierId, out var link) || link.SupplierSector == sector)
        {
            return;
        }

        Document.Suppliers[supplierId] = link with { SupplierSector = sector };
        Compact.SetSupplierLink(supplierId, link.WorkforceShare, sector);
        Changed();
        await RecomputeWithoutNewEvidenceAsync();
    }
}

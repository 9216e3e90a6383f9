using SupplyChainWatch.Contracts;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Grains;

public static class EvidenceEntries
{
    /// <summary>The rows of one subject, as a grain applies them.</summary>
    public static IReadOnlyList<EvidenceEntry> For(IEnumerable<EvidenceRow> rows, string subjectKey) =>
        [.. rows.Where(r => r.SubjectId == subjectKey).Select(r => new EvidenceEntry(r.SubjectSeq, r.Kind, r.ContentJson, r.RecordedAt))];
}

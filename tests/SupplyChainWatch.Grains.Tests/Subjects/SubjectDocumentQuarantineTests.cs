using System.Text.Json;
using SupplyChainWatch.Contracts;
using SupplyChainWatch.Grains.Subjects;

namespace SupplyChainWatch.Grains.Tests.Subjects;

/// <summary>Issue 14, finding 1: no stored row can make a subject fail; an unreadable one is quarantined and the rest still applies.</summary>
public sealed class SubjectDocumentQuarantineTests
{
    private static readonly DateTimeOffset At = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(EvidenceKinds.FeeReport, "{not json")]
    [InlineData(EvidenceKinds.FeeReport, "null")]
    [InlineData(EvidenceKinds.Finding, "{\"detail\":{\"auditId\":1}}")]
    [InlineData(EvidenceKinds.Grievance, "[]")]
    [InlineData("no-such-kind", "{}")]
    public void An_unreadable_row_is_quarantined_and_later_rows_still_apply(string kind, string content)
    {
        var document = new RecruiterDocument();
        document.Apply(new EvidenceEntry(1, kind, content, At));
        document.Apply(new EvidenceEntry(2, EvidenceKinds.Profile, "{\"name\":\"Agency\",\"corridors\":[]}", At));

        var quarantined = Assert.Single(document.Quarantined.Values);
        Assert.Equal("seq:1", quarantined.SignalId);
        Assert.Contains(kind, quarantined.Reason, StringComparison.Ordinal);
        Assert.Equal("Agency", document.Profile?.Name);
        Assert.True(SubjectDocument.IsDatedBy(new EvidenceEntry(1, kind, content, At), DateOnly.FromDateTime(At.UtcDateTime)));

        // The quarantine survives the snapshot, so a restarted subject still lists it.
        var restored = JsonSerializer.Deserialize<RecruiterDocument>(JsonSerializer.Serialize(document, EvidenceJson.Options), EvidenceJson.Options);
        Assert.Equal("seq:1", Assert.Single(restored!.Quarantined.Values).SignalId);
    }
}

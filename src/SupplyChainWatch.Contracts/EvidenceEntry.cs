namespace SupplyChainWatch.Contracts;

/// <summary>An evidence-log row as a grain applies it: the grain needs the order, the kind and the content.</summary>
[GenerateSerializer, Immutable]
public sealed record EvidenceEntry(
    [property: Id(0)] long SubjectSeq,
    [property: Id(1)] string Kind,
    [property: Id(2)] string ContentJson,
    [property: Id(3)] DateTimeOffset RecordedAt);

/// <summary>Kinds of evidence-log rows; the content of each is the matching record in <c>EvidenceContent</c>.</summary>
public static class EvidenceKinds
{
    public const string Profile = "profile";
    public const string Link = "link";
    public const string Finding = "finding";
    public const string FindingStatus = "finding-status";
    public const string Grievance = "grievance";
    public const string GrievanceStatus = "grievance-status";
    public const string FeeReport = "fee-report";
}

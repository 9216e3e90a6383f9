namespace SupplyChainWatch.Contracts;

/// <summary>An evidence-log row as a grain applies it: the grain needs the order, the kind and the content.</summary>
[GenerateSerializer, Immutable]
public sealed record EvidenceEntry(
    [property: Id(0)] long SubjectSeq,
    [property: Id(1)] string Kind,
    [property: Id(2)] string ContentJson,
    [property: Id(3)] DateTimeOffset RecordedAt)
{
    [NonSerialized]
    private readonly object? _parsed;

    /// <summary>
    /// The record <see cref="ContentJson"/> was serialised from, when the writer that just appended the row hands it on.
    /// Deliberately not serialised (no <c>Id</c>): a call to a grain in the same silo passes this immutable entry by
    /// reference, so the grain skips parsing JSON that was written a moment ago (9 µs a row in a bulk import); in another
    /// silo it arrives null and the JSON is parsed.
    /// </summary>
    public object? Parsed { get => _parsed; init => _parsed = value; }

    /// <summary>The content as <typeparamref name="T"/>: the writer's record when handed on, else parsed from the JSON.</summary>
    public T ContentAs<T>()
        where T : class => Parsed as T ?? EvidenceJson.Deserialize<T>(ContentJson);
}

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

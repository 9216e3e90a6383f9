using System.Globalization;
using System.Text;

namespace SupplyChainWatch.Contracts;

/// <summary>
/// The one owner of evidence-log idempotency keys: <c>{kind}:{part}:{part}…</c> with every part percent-encoded
/// (<c>%</c> as <c>%25</c>, <c>:</c> as <c>%3A</c>), so a part can never contain the separator and no two lists of
/// parts make one key. Ids may contain <c>:</c>; before schema version 8 the parts were joined as they were, so audit
/// <c>A</c> with finding <c>X:F</c> and audit <c>A:X</c> with finding <c>F</c> shared a key. Ids without <c>:</c> (and
/// <c>%</c>, which ids cannot contain) encode to themselves, so their keys are unchanged; migration 0008 re-encodes the
/// others (its SQL mirrors <see cref="Encode"/>).
/// </summary>
public static class IdempotencyKeys
{
    public static string Finding(string auditId, string findingId) => Build("finding", auditId, findingId);

    public static string FindingStatus(string auditId, string findingId, string status, DateOnly on) =>
        Build("finding-status", auditId, findingId, status, Day(on));

    public static string Grievance(string grievanceId) => Build("grievance", grievanceId);

    public static string GrievanceStatus(string grievanceId, string status, DateOnly on) => Build("grievance-status", grievanceId, status, Day(on));

    public static string FeeReport(string reportId) => Build("fee", reportId);

    /// <summary>A profile change: every change is a new row (setting A, B, then A again records three changes).</summary>
    public static string Profile(Guid change) => Build("profile", change.ToString("N"));

    /// <summary>A link change of a supplier (subject key) to a recruiter; fresh per change like profiles.</summary>
    public static string Link(string supplierKey, string recruiterId, Guid change) => Build("link", supplierKey, recruiterId, change.ToString("N"));

    /// <summary><paramref name="kind"/> and the encoded parts, joined by <c>:</c>.</summary>
    public static string Build(string kind, params ReadOnlySpan<string> parts)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        var key = new StringBuilder(Encode(kind));
        foreach (var part in parts)
        {
            ArgumentNullException.ThrowIfNull(part);
            key.Append(':').Append(Encode(part));
        }

        return key.ToString();
    }

    /// <summary>Percent-encodes the two characters that could make parts ambiguous; everything else stays as it is.</summary>
    public static string Encode(string part)
    {
        ArgumentNullException.ThrowIfNull(part);
        return part.Contains('%', StringComparison.Ordinal) || part.Contains(':', StringComparison.Ordinal)
            ? part.Replace("%", "%25", StringComparison.Ordinal).Replace(":", "%3A", StringComparison.Ordinal)
            : part;
    }

    /// <summary>The kind and decoded parts of a key <see cref="Build"/> made (the inverse, which proves it injective).</summary>
    public static (string Kind, IReadOnlyList<string> Parts) Parse(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var pieces = key.Split(':');
        return (Decode(pieces[0]), [.. pieces.Skip(1).Select(Decode)]);
    }

    private static string Decode(string part) =>
        part.Replace("%3A", ":", StringComparison.Ordinal).Replace("%25", "%", StringComparison.Ordinal);

    private static string Day(DateOnly on) => on.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

namespace SupplyChainWatch.Contracts;

/// <summary>
/// Grain and evidence-log keys of subjects. The prefix keeps string keys from parsing as hex or GUIDs,
/// which collide in Orleans ADO.NET storage, and keeps supplier and recruiter ids in separate spaces.
/// </summary>
public static class SubjectKeys
{
    public const string SupplierPrefix = "sup:";
    public const string RecruiterPrefix = "rec:";

    public static string Supplier(string supplierId) => SupplierPrefix + supplierId;

    public static string Recruiter(string recruiterId) => RecruiterPrefix + recruiterId;

    /// <summary>How a subject key is written wherever the API takes one in a query parameter or body field.</summary>
    public const string ExpectedForm = "sup:{supplierId} or rec:{recruiterId}";

    /// <summary>
    /// Whether <paramref name="value"/> is a subject key: a known prefix followed by a non-empty id. A bare id is not,
    /// so an API parameter never guesses which of the two id spaces was meant.
    /// </summary>
    public static bool IsSubjectKey(string value) =>
        (value.StartsWith(SupplierPrefix, StringComparison.Ordinal) && value.Length > SupplierPrefix.Length)
        || (value.StartsWith(RecruiterPrefix, StringComparison.Ordinal) && value.Length > RecruiterPrefix.Length);

    public static bool IsSupplier(string subjectKey) => subjectKey.StartsWith(SupplierPrefix, StringComparison.Ordinal);

    /// <summary>The id the user gave, without the prefix.</summary>
    public static string IdOf(string subjectKey) =>
        subjectKey.StartsWith(SupplierPrefix, StringComparison.Ordinal) || subjectKey.StartsWith(RecruiterPrefix, StringComparison.Ordinal)
            ? subjectKey[4..]
            : subjectKey;
}

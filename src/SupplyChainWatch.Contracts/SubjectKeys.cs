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

    public static bool IsSupplier(string subjectKey) => subjectKey.StartsWith(SupplierPrefix, StringComparison.Ordinal);

    /// <summary>The id the user gave, without the prefix.</summary>
    public static string IdOf(string subjectKey) =>
        subjectKey.StartsWith(SupplierPrefix, StringComparison.Ordinal) || subjectKey.StartsWith(RecruiterPrefix, StringComparison.Ordinal)
            ? subjectKey[4..]
            : subjectKey;
}

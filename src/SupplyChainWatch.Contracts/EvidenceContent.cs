using System.Text.Json;
using System.Text.Json.Serialization;
using SupplyChainWatch.Domain;

namespace SupplyChainWatch.Contracts;

/// <summary>
/// The content of evidence-log rows. Serialised with <see cref="EvidenceJson.Options"/>, whose output is
/// deterministic for a given record, so the SHA-256 of the JSON decides duplicate (same) versus conflict (different).
/// Grievance narratives and reporter contacts never appear here, nor (since schema version 8) any digest of them.
/// </summary>
public static class EvidenceContent
{
    public sealed record Link(string SupplierId, string RecruiterId, double WorkforceShare, Sector? SupplierSector);

    public sealed record Finding(string SupplierId, string? RecruiterId, string AuditFirm, AuditFinding Detail);

    public sealed record FindingStatusChange(string AuditId, string FindingId, FindingStatus Status, DateOnly On);

    public sealed record GrievanceConsent(bool ShareWithBrand, bool ShareWithNgo, bool ShareWithLawEnforcement);

    /// <summary>
    /// A grievance row. <c>ConfidentialDigest</c> is null in every row written since schema version 8; older rows carry
    /// an unsalted SHA-256 of narrative and contact there, and their content is withheld from referral packages for that
    /// reason (the row hash covers it, so it stays in the log).
    /// </summary>
    public sealed record Grievance(
        string? SupplierId,
        string? RecruiterId,
        string Channel,
        string Anonymity,
        GrievanceConsent Consent,
        string? ConfidentialDigest,
        Domain.Grievance Detail);

    public sealed record GrievanceStatusChange(string GrievanceId, GrievanceStatus Status, DateOnly On, GrievanceOutcome? Outcome, bool? Verified);

    public sealed record FeeReport(string RecruiterId, string? SupplierId, Domain.FeeReport Detail);
}

/// <summary>One JSON dialect for evidence content, grain snapshots and the API: camelCase, kebab-case enums.</summary>
public static class EvidenceJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    public static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
            WriteIndented = false,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Deserialize<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException($"Evidence content is null where {typeof(T).Name} was expected.");
}

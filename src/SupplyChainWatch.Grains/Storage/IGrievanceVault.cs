namespace SupplyChainWatch.Grains.Storage;

/// <summary>
/// Where grievance narratives and reporter contacts live, apart from the evidence log, read model and grain
/// state (which roles outside grievance handling read). Only the grievance endpoints touch it.
/// </summary>
public interface IGrievanceVault
{
    /// <summary>Stores the confidential text of a grievance once; a repeat of the same grievance changes nothing.</summary>
    Task StoreAsync(string grievanceId, string? narrative, string? reporterContact, CancellationToken cancellationToken = default);

    /// <summary>Stores many at once (bulk import) in one transaction, with the same first-write-wins rule.</summary>
    Task StoreManyAsync(IReadOnlyList<ConfidentialText> texts, CancellationToken cancellationToken = default);

    Task<ConfidentialGrievance?> ReadAsync(string grievanceId, CancellationToken cancellationToken = default);
}

/// <summary>The confidential part of one grievance as submitted.</summary>
public sealed record ConfidentialText(string GrievanceId, string? Narrative, string? ReporterContact);

public sealed record ConfidentialGrievance(string GrievanceId, string? Narrative, string? ReporterContact, DateTimeOffset StoredAt);

namespace SupplyChainWatch.Storage;

/// <summary>
/// Where grievance narratives and reporter contacts live, apart from the evidence log, read model and grain
/// state (which roles outside grievance handling read). Only the grievance endpoints touch it. The text is
/// encrypted before it reaches the database, and every read is recorded in the access log.
/// </summary>
public interface IGrievanceVault
{
    /// <summary>
    /// Stores the confidential text of a grievance once; a repeat with the same text changes nothing. Returns false when
    /// another text is stored for the grievance already (a conflicting resubmission), judged by the keyed MAC.
    /// </summary>
    Task<bool> StoreAsync(string grievanceId, string? narrative, string? reporterContact, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores many at once (bulk import) in one transaction, with the same first-write-wins rule; returns the ids of the
    /// grievances whose stored text differs from the one given (conflicts), none of which is changed.
    /// </summary>
    Task<IReadOnlySet<string>> StoreManyAsync(IReadOnlyList<ConfidentialText> texts, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records that <paramref name="accessedBy"/> reads the grievance now, then returns its text (null when none was
    /// stored). The record is committed before the text is decrypted: there is no read without its trace.
    /// </summary>
    Task<ConfidentialGrievance?> ReadAsync(string grievanceId, string accessedBy, CancellationToken cancellationToken = default);

    /// <summary>The access log of one grievance, oldest first.</summary>
    Task<IReadOnlyList<GrievanceAccess>> ListAccessAsync(string grievanceId, CancellationToken cancellationToken = default);
}

/// <summary>Encrypts the vault's text at rest (ASP.NET Core Data Protection in the service).</summary>
public interface IConfidentialTextProtector
{
    string Protect(string plaintext);

    string Unprotect(string protectedText);
}

/// <summary>The confidential part of one grievance as submitted (both texts may be absent: that too is compared).</summary>
public sealed record ConfidentialText(string GrievanceId, string? Narrative, string? ReporterContact)
{
    /// <summary>
    /// The grievance's evidence rows were in the log already. Before schema version 8 a grievance without text had no vault
    /// row, so a resubmission finding none conflicts when it brings text.
    /// </summary>
    public bool Resubmission { get; init; }
}

public sealed record ConfidentialGrievance(string GrievanceId, string? Narrative, string? ReporterContact, DateTimeOffset StoredAt);

public sealed record GrievanceAccess(string GrievanceId, string AccessedBy, DateTimeOffset AccessedAt);

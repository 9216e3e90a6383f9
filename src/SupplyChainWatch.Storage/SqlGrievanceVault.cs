namespace SupplyChainWatch.Storage;

/// <summary>The grievance vault in the service's own database (SQLite or PostgreSQL); columns hold ciphertext only.</summary>
public sealed class SqlGrievanceVault(StorageDatabase database, TimeProvider time, IConfidentialTextProtector protector, ConfidentialTextMac mac) : IGrievanceVault
{
    public async Task<bool> StoreAsync(string grievanceId, string? narrative, string? reporterContact, CancellationToken cancellationToken = default) =>
        (await StoreManyAsync([new ConfidentialText(grievanceId, narrative, reporterContact)], cancellationToken)).Count == 0;

    public async Task<IReadOnlySet<string>> StoreManyAsync(IReadOnlyList<ConfidentialText> texts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var conflicts = new HashSet<string>(StringComparer.Ordinal);
        if (texts.Count == 0)
        {
            return conflicts;
        }

        // Encrypt and MAC outside the write gate: it is CPU work, and the gate serialises every SQLite write of the process.
        var prepared = new List<(ConfidentialText Text, string? Narrative, string? Contact, string Mac)>(texts.Count);
        foreach (var text in texts)
        {
            prepared.Add((text, text.Narrative is null ? null : protector.Protect(text.Narrative), text.ReporterContact is null ? null : protector.Protect(text.ReporterContact),
                await mac.ComputeAsync(text.Narrative, text.ReporterContact, cancellationToken)));
        }

        var storedAt = database.TimestampParameter(time.GetUtcNow());
        var existing = await database.WriteAsync(
            async (connection, transaction) =>
            {
                // First write wins; a repeat is compared with what the first stored, after the commit.
                await using var command = StorageDatabase.CreateCommand(connection, transaction,
                    "INSERT INTO grievance_confidential (grievance_id, narrative, reporter_contact, stored_at, text_mac) VALUES (@id, @narrative, @contact, @at, @mac) " +
                    "ON CONFLICT (grievance_id) DO NOTHING");
                var kept = new List<(ConfidentialText Text, bool Inserted)>();
                foreach (var (text, narrative, contact, textMac) in prepared)
                {
                    command.Parameters.Clear();
                    StorageDatabase.AddParameter(command, "@id", text.GrievanceId);
                    StorageDatabase.AddParameter(command, "@narrative", narrative);
                    StorageDatabase.AddParameter(command, "@contact", contact);
                    StorageDatabase.AddParameter(command, "@at", storedAt);
                    StorageDatabase.AddParameter(command, "@mac", textMac);
                    kept.Add((text, await command.ExecuteNonQueryAsync(cancellationToken) == 1));
                }

                return kept;
            },
            cancellationToken);

        foreach (var (text, inserted) in existing)
        {
            if (inserted)
            {
                // No vault row although the grievance was in the log: it was written before version 8 without text.
                if (text.Resubmission && (text.Narrative is not null || text.ReporterContact is not null))
                {
                    conflicts.Add(text.GrievanceId);
                }

                continue;
            }

            if (!await SameTextAsync(text, cancellationToken))
            {
                conflicts.Add(text.GrievanceId);
            }
        }

        return conflicts;
    }

    /// <summary>Whether the stored text of the grievance is this text: by its MAC, or for a row older than version 8 (no MAC) by decrypting it.</summary>
    private async Task<bool> SameTextAsync(ConfidentialText text, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReadConnectionAsync(cancellationToken);
        await using var command = StorageDatabase.CreateCommand(connection, null,
            "SELECT text_mac, narrative, reporter_contact FROM grievance_confidential WHERE grievance_id = @id");
        StorageDatabase.AddParameter(command, "@id", text.GrievanceId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return false;
        }

        if (!await reader.IsDBNullAsync(0, cancellationToken))
        {
            return await mac.MatchesAsync(reader.GetString(0), text.Narrative, text.ReporterContact, cancellationToken);
        }

        var narrative = await reader.IsDBNullAsync(1, cancellationToken) ? null : protector.Unprotect(reader.GetString(1));
        var contact = await reader.IsDBNullAsync(2, cancellationToken) ? null : protector.Unprotect(reader.GetString(2));
        return narrative == text.Narrative && contact == text.ReporterContact;
    }

    public async Task<ConfidentialGrievance?> ReadAsync(string grievanceId, string accessedBy, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(accessedBy);
        var stored = await database.WriteAsync(
            async (connection, transaction) =>
            {
                await using (var log = StorageDatabase.CreateCommand(connection, transaction,
                    "INSERT INTO grievance_access_log (grievance_id, accessed_by, accessed_at) VALUES (@id, @by, @at)"))
                {
                    StorageDatabase.AddParameter(log, "@id", grievanceId);
                    StorageDatabase.AddParameter(log, "@by", accessedBy);
                    StorageDatabase.AddParameter(log, "@at", database.TimestampParameter(time.GetUtcNow()));
                    await log.ExecuteNonQueryAsync(cancellationToken);
                }

                await using var command = StorageDatabase.CreateCommand(connection, transaction,
                    "SELECT narrative, reporter_contact, stored_at FROM grievance_confidential WHERE grievance_id = @id");
                StorageDatabase.AddParameter(command, "@id", grievanceId);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                if (!await reader.ReadAsync(cancellationToken))
                {
                    return null;
                }

                return new ConfidentialGrievance(
                    grievanceId,
                    await reader.IsDBNullAsync(0, cancellationToken) ? null : reader.GetString(0),
                    await reader.IsDBNullAsync(1, cancellationToken) ? null : reader.GetString(1),
                    database.ReadTimestamp(reader, 2));
            },
            cancellationToken);

        return stored is null
            ? null
            : stored with
            {
                Narrative = stored.Narrative is null ? null : protector.Unprotect(stored.Narrative),
                ReporterContact = stored.ReporterContact is null ? null : protector.Unprotect(stored.ReporterContact),
            };
    }

    public async Task<IReadOnlyList<GrievanceAccess>> ListAccessAsync(string grievanceId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenReadConnectionAsync(cancellationToken);
        await using var command = StorageDatabase.CreateCommand(connection, null,
            "SELECT accessed_by, accessed_at FROM grievance_access_log WHERE grievance_id = @id ORDER BY seq");
        StorageDatabase.AddParameter(command, "@id", grievanceId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var accesses = new List<GrievanceAccess>();
        while (await reader.ReadAsync(cancellationToken))
        {
            accesses.Add(new GrievanceAccess(grievanceId, reader.GetString(0), database.ReadTimestamp(reader, 1)));
        }

        return accesses;
    }
}

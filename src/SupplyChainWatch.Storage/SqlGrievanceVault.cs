namespace SupplyChainWatch.Storage;

/// <summary>The grievance vault in the service's own database (SQLite or PostgreSQL); columns hold ciphertext only.</summary>
public sealed class SqlGrievanceVault(StorageDatabase database, TimeProvider time, IConfidentialTextProtector protector) : IGrievanceVault
{
    public Task StoreAsync(string grievanceId, string? narrative, string? reporterContact, CancellationToken cancellationToken = default) =>
        StoreManyAsync([new ConfidentialText(grievanceId, narrative, reporterContact)], cancellationToken);

    public Task StoreManyAsync(IReadOnlyList<ConfidentialText> texts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (texts.Count == 0)
        {
            return Task.CompletedTask;
        }

        // Encrypt outside the write gate: it is CPU work, and the gate serialises every SQLite write of the process.
        var encrypted = texts.Select(t => new ConfidentialText(
            t.GrievanceId,
            t.Narrative is null ? null : protector.Protect(t.Narrative),
            t.ReporterContact is null ? null : protector.Protect(t.ReporterContact))).ToList();
        var storedAt = database.TimestampParameter(time.GetUtcNow());
        return database.WriteAsync(
            async (connection, transaction) =>
            {
                // First write wins: the evidence log already holds a digest of this text, so a repeat is the same text.
                await using var command = StorageDatabase.CreateCommand(connection, transaction,
                    "INSERT INTO grievance_confidential (grievance_id, narrative, reporter_contact, stored_at) VALUES (@id, @narrative, @contact, @at) ON CONFLICT (grievance_id) DO NOTHING");
                var stored = 0;
                foreach (var text in encrypted)
                {
                    command.Parameters.Clear();
                    StorageDatabase.AddParameter(command, "@id", text.GrievanceId);
                    StorageDatabase.AddParameter(command, "@narrative", text.Narrative);
                    StorageDatabase.AddParameter(command, "@contact", text.ReporterContact);
                    StorageDatabase.AddParameter(command, "@at", storedAt);
                    stored += await command.ExecuteNonQueryAsync(cancellationToken);
                }

                return stored;
            },
            cancellationToken);
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

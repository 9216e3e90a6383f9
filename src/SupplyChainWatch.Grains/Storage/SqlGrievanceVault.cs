namespace SupplyChainWatch.Grains.Storage;

/// <summary>The grievance vault in the service's own database (SQLite or PostgreSQL).</summary>
public sealed class SqlGrievanceVault(StorageDatabase database, TimeProvider time) : IGrievanceVault
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

        var storedAt = database.TimestampParameter(time.GetUtcNow());
        return database.WriteAsync(
            async (connection, transaction) =>
            {
                // First write wins: the evidence log already holds a digest of this text, so a repeat is the same text.
                await using var command = StorageDatabase.CreateCommand(connection, transaction,
                    "INSERT INTO grievance_confidential (grievance_id, narrative, reporter_contact, stored_at) VALUES (@id, @narrative, @contact, @at) ON CONFLICT (grievance_id) DO NOTHING");
                var stored = 0;
                foreach (var text in texts)
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

    public async Task<ConfidentialGrievance?> ReadAsync(string grievanceId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenReadConnectionAsync(cancellationToken);
        await using var command = StorageDatabase.CreateCommand(connection, null,
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
    }
}

namespace SupplyChainWatch.Storage;

/// <summary>
/// The Data Protection key ring as rows of the service's own database, so that every silo (each with its own disk)
/// encrypts and decrypts the grievance vault with the same keys. The API adapts it to Data Protection's
/// IXmlRepository; this class only knows names and XML text.
/// </summary>
/// <remarks>
/// Data Protection calls its repository synchronously and rarely (start-up, key creation about every 90 days),
/// so blocking on the asynchronous store here costs nothing measurable.
/// </remarks>
public sealed class SqlDataProtectionKeyStore(StorageDatabase database, TimeProvider time)
{
    public IReadOnlyList<string> ReadAll() => ReadAllAsync(CancellationToken.None).GetAwaiter().GetResult();

    public void Store(string friendlyName, string xml) => StoreAsync(friendlyName, xml, CancellationToken.None).GetAwaiter().GetResult();

    public async Task<IReadOnlyList<string>> ReadAllAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReadConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = StorageDatabase.CreateCommand(connection, null, "SELECT xml FROM data_protection_keys ORDER BY friendly_name");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var elements = new List<string>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            elements.Add(reader.GetString(0));
        }

        return elements;
    }

    public Task StoreAsync(string friendlyName, string xml, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction) =>
            {
                // Keys are immutable once written (revocations are new elements with their own names).
                await using var command = StorageDatabase.CreateCommand(connection, transaction,
                    "INSERT INTO data_protection_keys (friendly_name, xml, stored_at) VALUES (@name, @xml, @at) ON CONFLICT (friendly_name) DO NOTHING");
                StorageDatabase.AddParameter(command, "@name", friendlyName);
                StorageDatabase.AddParameter(command, "@xml", xml);
                StorageDatabase.AddParameter(command, "@at", database.TimestampParameter(time.GetUtcNow()));
                return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            },
            cancellationToken);
}

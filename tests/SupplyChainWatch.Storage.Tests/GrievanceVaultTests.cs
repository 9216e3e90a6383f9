using System.Text;
using Microsoft.Extensions.Time.Testing;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Storage.Tests;

/// <summary>The vault stores only what the protector made of the text, and no read happens without its access-log row.</summary>
public abstract class GrievanceVaultContract
{
    private static readonly DateTimeOffset At = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

    protected abstract Task<StorageOptions> CreateDatabaseAsync();

    private async Task<StorageDatabase> CreateMigratedAsync()
    {
        var database = new StorageDatabase(await CreateDatabaseAsync());
        await new SchemaMigrator(database).MigrateAsync();
        return database;
    }

    [Fact]
    public async Task Text_is_stored_protected_read_back_in_clear_and_every_read_is_logged_first()
    {
        await using var database = await CreateMigratedAsync();
        var clock = new FakeTimeProvider(At);
        var vault = new SqlGrievanceVault(database, clock, new ReversibleProtector(), new ConfidentialTextMac(database, new ReversibleProtector(), clock));
        Assert.True(await vault.StoreAsync("grv-1", "they keep our passports", "+60 12 345"));
        Assert.False(await vault.StoreAsync("grv-1", "a second text is ignored", null));

        await using (var connection = await database.OpenReadConnectionAsync(CancellationToken.None))
        {
            await using var command = StorageDatabase.CreateCommand(connection, null, "SELECT narrative, reporter_contact FROM grievance_confidential");
            await using var reader = await command.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            Assert.Equal(ReversibleProtector.Prefix + Convert.ToBase64String(Encoding.UTF8.GetBytes("they keep our passports")), reader.GetString(0));
            Assert.StartsWith(ReversibleProtector.Prefix, reader.GetString(1), StringComparison.Ordinal);
            Assert.False(await reader.ReadAsync());
        }

        Assert.Empty(await vault.ListAccessAsync("grv-1"));
        var read = await vault.ReadAsync("grv-1", "alice (idp)");
        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Null(await vault.ReadAsync("grv-unknown", "bob (idp)"));
        await vault.ReadAsync("grv-1", "carol (idp)");

        Assert.Equal("they keep our passports", read!.Narrative);
        Assert.Equal("+60 12 345", read.ReporterContact);
        Assert.Equal(
            [new GrievanceAccess("grv-1", "alice (idp)", At), new GrievanceAccess("grv-1", "carol (idp)", At.AddMinutes(5))],
            await vault.ListAccessAsync("grv-1"));
        Assert.Single(await vault.ListAccessAsync("grv-unknown"));
    }

    [Fact]
    public async Task A_resubmission_is_judged_by_a_keyed_mac_that_survives_key_rotation_and_no_digest_of_the_text_is_stored()
    {
        await using var database = await CreateMigratedAsync();
        var clock = new FakeTimeProvider(At);
        var mac = new ConfidentialTextMac(database, new ReversibleProtector(), clock);
        var vault = new SqlGrievanceVault(database, clock, new ReversibleProtector(), mac);
        Assert.Empty(await vault.StoreManyAsync([new ConfidentialText("grv-a", null, "+60123456789"), new ConfidentialText("grv-b", null, null)]));

        // The key rotates; MACs made under the old key still decide.
        clock.Advance(ConfidentialTextMac.RotationPeriod + TimeSpan.FromDays(1));
        Assert.Empty(await vault.StoreManyAsync([new ConfidentialText("grv-a", null, "+60123456789"), new ConfidentialText("grv-c", "x", null)]));
        Assert.Equal(["grv-a", "grv-b"], (await vault.StoreManyAsync([
            new ConfidentialText("grv-a", null, "+60123456780"),
            new ConfidentialText("grv-b", null, ""), // an empty contact is not an absent one
            new ConfidentialText("grv-c", "x", null),
        ])).Order(StringComparer.Ordinal));

        var macs = new List<string>();
        await using (var connection = await database.OpenReadConnectionAsync(CancellationToken.None))
        {
            await using (var command = StorageDatabase.CreateCommand(connection, null, "SELECT text_mac FROM grievance_confidential ORDER BY grievance_id"))
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    macs.Add(reader.GetString(0));
                }
            }

            await using var keys = StorageDatabase.CreateCommand(connection, null, "SELECT count(*) FROM confidential_mac_keys");
            Assert.Equal(2L, Convert.ToInt64(await keys.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture));
        }

        // Not the unsalted digest the log used to carry, nor a plain SHA-256 of the contact.
        var plain = new[] { "\0+60123456789", "+60123456789" }
            .Select(t => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(t))));
        Assert.DoesNotContain(macs, m => plain.Any(p => m.Contains(p, StringComparison.Ordinal)));
        Assert.NotEqual(macs[0].Split(':')[0], macs[2].Split(':')[0]); // grv-a under the first key, grv-c under the second
    }

    [Fact]
    public async Task Data_protection_keys_are_kept_once_per_name_for_every_silo()
    {
        await using var database = await CreateMigratedAsync();
        var store = new SqlDataProtectionKeyStore(database, new FakeTimeProvider(At));
        store.Store("key-b", "<key id=\"b\" />");
        store.Store("key-a", "<key id=\"a\" />");
        store.Store("key-a", "<key id=\"a-again\" />");

        var other = new SqlDataProtectionKeyStore(database, TimeProvider.System);
        Assert.Equal(["<key id=\"a\" />", "<key id=\"b\" />"], other.ReadAll());
    }
}

public sealed class SqliteGrievanceVaultTests : GrievanceVaultContract, IAsyncDisposable
{
    private readonly SqliteDatabaseFactory _factory = new();

    protected override Task<StorageOptions> CreateDatabaseAsync() => _factory.CreateAsync();

    public ValueTask DisposeAsync() => _factory.DisposeAsync();
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresGrievanceVaultTests(PostgresServerFixture server) : GrievanceVaultContract
{
    protected override Task<StorageOptions> CreateDatabaseAsync() => server.CreateDatabaseAsync();
}

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
        var vault = new SqlGrievanceVault(database, clock, new ReversibleProtector());
        await vault.StoreAsync("grv-1", "they keep our passports", "+60 12 345");
        await vault.StoreAsync("grv-1", "a second text is ignored", null);

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

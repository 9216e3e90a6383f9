using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Storage.Tests;

/// <summary>Creates a fresh, empty database for one test; implemented for SQLite and PostgreSQL.</summary>
public interface ITestDatabaseFactory
{
    Task<StorageOptions> CreateAsync();
}

public sealed class SqliteDatabaseFactory : ITestDatabaseFactory, IAsyncDisposable
{
    private readonly List<SqliteTestDatabase> _databases = [];

    public Task<StorageOptions> CreateAsync()
    {
        var database = new SqliteTestDatabase();
        _databases.Add(database);
        return Task.FromResult(database.Options);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var database in _databases)
        {
            await database.DisposeAsync();
        }
    }
}

using Microsoft.Data.Sqlite;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Storage.Tests;

/// <summary>A fresh SQLite file in a temp folder per test; deleted on dispose.</summary>
public sealed class SqliteTestDatabase : IAsyncDisposable
{
    public SqliteTestDatabase()
    {
        Folder = Path.Combine(Path.GetTempPath(), "scw-tests", Guid.NewGuid().ToString("N"));
        Options = new StorageOptions
        {
            Provider = StorageOptions.SqliteProvider,
            ConnectionString = $"Data Source={Path.Combine(Folder, "scw.db")}",
        };
    }

    public string Folder { get; }

    public StorageOptions Options { get; }

    public ValueTask DisposeAsync()
    {
        // Pooled connections keep the file open; clear them before deleting.
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder left behind is harmless.
        }

        return ValueTask.CompletedTask;
    }
}

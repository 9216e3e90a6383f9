using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;

namespace SupplyChainWatch.Api.Tests.Infrastructure;

/// <summary>Reads the service's SQLite file directly (beside the running service; WAL lets readers in).</summary>
public static class DatabaseInspection
{
    public sealed record TableState(long Rows, string Hash);

    /// <summary>Row count and a SHA-256 over every row (all columns, in primary-key order) of every table.</summary>
    public static async Task<IReadOnlyDictionary<string, TableState>> SnapshotAsync(string databasePath)
    {
        await using var connection = await OpenAsync(databasePath);
        var result = new SortedDictionary<string, TableState>(StringComparer.Ordinal);
        foreach (var table in await TablesAsync(connection))
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long rows = 0;
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM \"{table}\" ORDER BY rowid";
            if (await IsWithoutRowIdAsync(connection, table))
            {
                command.CommandText = $"SELECT * FROM \"{table}\" ORDER BY 1, 2";
            }

            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows++;
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    var bytes = reader.IsDBNull(i) ? [0] : reader.GetValue(i) is byte[] blob ? blob : Encoding.UTF8.GetBytes(Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)!);
                    hash.AppendData(BitConverter.GetBytes(bytes.Length));
                    hash.AppendData(bytes);
                }
            }

            result[table] = new TableState(rows, Convert.ToHexStringLower(hash.GetHashAndReset()));
        }

        return result;
    }

    /// <summary>Every "table.column" cell (text as UTF-8, blobs as bytes) that contains <paramref name="needle"/>.</summary>
    public static async Task<IReadOnlyList<string>> FindAsync(string databasePath, string needle, ISet<string>? skipColumns = null)
    {
        var needleBytes = Encoding.UTF8.GetBytes(needle);
        var hits = new List<string>();
        await using var connection = await OpenAsync(databasePath);
        foreach (var table in await TablesAsync(connection))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM \"{table}\"";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    var column = $"{table}.{reader.GetName(i)}";
                    if (reader.IsDBNull(i) || skipColumns?.Contains(column) == true)
                    {
                        continue;
                    }

                    var bytes = reader.GetValue(i) is byte[] blob ? blob : Encoding.UTF8.GetBytes(Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)!);
                    if (bytes.AsSpan().IndexOf(needleBytes) >= 0)
                    {
                        hits.Add(column);
                    }
                }
            }
        }

        return hits;
    }

    public static async Task<IReadOnlyList<IReadOnlyDictionary<string, object?>>> QueryAsync(string databasePath, string sql)
    {
        await using var connection = await OpenAsync(databasePath);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<IReadOnlyDictionary<string, object?>>();
        while (await reader.ReadAsync())
        {
            var row = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (var i = 0; i < reader.FieldCount; i++)
            {
                row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    private static async Task<SqliteConnection> OpenAsync(string databasePath)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = false }.ToString());
        await connection.OpenAsync();
        return connection;
    }

    private static async Task<IReadOnlyList<string>> TablesAsync(SqliteConnection connection)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
        await using var reader = await command.ExecuteReaderAsync();
        var tables = new List<string>();
        while (await reader.ReadAsync())
        {
            tables.Add(reader.GetString(0));
        }

        return tables;
    }

    private static async Task<bool> IsWithoutRowIdAsync(SqliteConnection connection, string table)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = @name";
        command.Parameters.AddWithValue("@name", table);
        var sql = (string?)await command.ExecuteScalarAsync() ?? string.Empty;
        return sql.Contains("WITHOUT ROWID", StringComparison.OrdinalIgnoreCase);
    }
}

using System.Data;
using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace SupplyChainWatch.Storage;

public enum StorageProviderKind
{
    Sqlite,
    PostgreSql,
}

/// <summary>
/// One database (SQLite file or PostgreSQL database) and the few places where the two dialects differ: how connections are
/// opened, how writes are serialised, how timestamps are stored. Shared by the app stores, the migrator and the SQLite
/// grain-storage/reminder decorators so that every write to one SQLite file in this process goes through one FIFO gate.
/// </summary>
public sealed class StorageDatabase : IAsyncDisposable
{
    /// <summary>The chain's "previous hash" for a subject's first row.</summary>
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    // SQLite stores timestamps as fixed-width UTC text so that text order is time order; microseconds because that is
    // PostgreSQL's precision and both dialects must return the same values.
    private const string SqliteTimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    private readonly NpgsqlDataSource? _dataSource;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private SqliteConnection? _sqliteWriter;

    public StorageDatabase(StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Provider = ParseProvider(options.Provider);
        if (Provider == StorageProviderKind.Sqlite)
        {
            var builder = new SqliteConnectionStringBuilder(options.ConnectionString) { Pooling = true };
            if (string.IsNullOrWhiteSpace(builder.DataSource) || builder.DataSource == ":memory:" || builder.Mode == SqliteOpenMode.Memory)
            {
                throw new ArgumentException("SQLite storage needs a file data source (WAL and several connections do not work in memory).", nameof(options));
            }

            var folder = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
            if (!string.IsNullOrEmpty(folder))
            {
                Directory.CreateDirectory(folder);
            }

            ConnectionString = builder.ToString();
        }
        else
        {
            ConnectionString = options.ConnectionString;
            _dataSource = NpgsqlDataSource.Create(options.ConnectionString);
        }
    }

    public StorageProviderKind Provider { get; }

    public bool IsPostgreSql => Provider == StorageProviderKind.PostgreSql;

    public string ConnectionString { get; }

    /// <summary>
    /// The ADO.NET invariant Orleans' providers need. Orleans 10.4.2 accepts SQLite only under <c>System.Data.SQLite</c>
    /// (it then loads Microsoft.Data.Sqlite); the name <c>Microsoft.Data.Sqlite</c> is refused at start-up.
    /// </summary>
    public string OrleansInvariant => IsPostgreSql ? "Npgsql" : "System.Data.SQLite";

    /// <summary>
    /// The FIFO gate every in-process write to the SQLite file takes (app stores, Orleans grain state, reminders).
    /// Microsoft.Data.Sqlite's busy retry is unfair: with many concurrent writers some starve for seconds. Queueing on a
    /// SemaphoreSlim (async waiters are released in arrival order) removes the contention instead of retrying through it.
    /// </summary>
    public SemaphoreSlim SqliteWriteGate => _writeGate;

    public static StorageProviderKind ParseProvider(string? provider) => provider?.Trim().ToUpperInvariant() switch
    {
        null or "" or "SQLITE" => StorageProviderKind.Sqlite,
        "POSTGRESQL" or "POSTGRES" or "NPGSQL" => StorageProviderKind.PostgreSql,
        _ => throw new ArgumentException($"Unknown storage provider '{provider}'. Use '{StorageOptions.SqliteProvider}' or '{StorageOptions.PostgreSqlProvider}'.", nameof(provider)),
    };

    /// <summary>Opens a connection for reads (SQLite: pooled, WAL lets readers run beside the single writer).</summary>
    public async Task<DbConnection> OpenReadConnectionAsync(CancellationToken cancellationToken)
    {
        if (_dataSource is not null)
        {
            return await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }

        var connection = new SqliteConnection(ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, null, "PRAGMA busy_timeout = 5000;", cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> in one write transaction and commits. SQLite: under the write gate, on the one writer
    /// connection (WAL, synchronous=FULL so a commit is durable when this returns), BEGIN IMMEDIATE. PostgreSQL: a pooled
    /// connection, READ COMMITTED (callers that need more take advisory locks).
    /// </summary>
    public async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (_dataSource is not null)
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
            var result = await work(connection, transaction).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return result;
        }

        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = await GetSqliteWriterAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                // deferred: false => BEGIN IMMEDIATE: take the write lock now rather than upgrading a read lock later.
                await using var transaction = connection.BeginTransaction(deferred: false);
                var result = await work(connection, transaction).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return result;
            }
            catch (SqliteException)
            {
                // Do not keep a connection in an unknown state; the next write opens a fresh one.
                await connection.DisposeAsync().ConfigureAwait(false);
                _sqliteWriter = null;
                throw;
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private async Task<SqliteConnection> GetSqliteWriterAsync(CancellationToken cancellationToken)
    {
        if (_sqliteWriter is { State: ConnectionState.Open })
        {
            return _sqliteWriter;
        }

        var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, null, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;", cancellationToken).ConfigureAwait(false);
        _sqliteWriter = connection;
        return connection;
    }

    /// <summary>UTC, truncated to microseconds: the value both dialects store and return unchanged.</summary>
    public static DateTimeOffset Normalize(DateTimeOffset value)
    {
        var utc = value.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % 10), TimeSpan.Zero);
    }

    public object TimestampParameter(DateTimeOffset value)
    {
        var normalized = Normalize(value);
        return IsPostgreSql ? normalized : normalized.ToString(SqliteTimestampFormat, CultureInfo.InvariantCulture);
    }

    public DateTimeOffset ReadTimestamp(DbDataReader reader, int ordinal)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (IsPostgreSql)
        {
            return reader.GetFieldValue<DateTimeOffset>(ordinal);
        }

        return DateTimeOffset.ParseExact(reader.GetString(ordinal), SqliteTimestampFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
    }

    public static DbCommand CreateCommand(DbConnection connection, DbTransaction? transaction, string sql)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    public static void AddParameter(DbCommand command, string name, object? value)
    {
        ArgumentNullException.ThrowIfNull(command);
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }

    public static async Task<int> ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = CreateCommand(connection, transaction, sql);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Appends <c>(@p0, @p1, …)</c> for an IN list and binds the values.</summary>
    public static string InList(DbCommand command, string prefix, IReadOnlyList<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var names = new string[values.Count];
        for (var i = 0; i < values.Count; i++)
        {
            names[i] = "@" + prefix + i.ToString(CultureInfo.InvariantCulture);
            AddParameter(command, names[i], values[i]);
        }

        return "(" + string.Join(", ", names) + ")";
    }

    public async ValueTask DisposeAsync()
    {
        await _writeGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_sqliteWriter is not null)
            {
                await _sqliteWriter.DisposeAsync().ConfigureAwait(false);
                _sqliteWriter = null;
            }
        }
        finally
        {
            _writeGate.Release();
        }

        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync().ConfigureAwait(false);
        }
    }
}

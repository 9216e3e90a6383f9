using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Tests.Shared;

/// <summary>
/// One PostgreSQL server for the whole "PostgreSQL" test collection. With SCW_TEST_POSTGRES set (a connection string
/// whose user may CREATE DATABASE) that server is used; otherwise a throwaway server is started from the binaries in
/// /usr/local/bin (initdb, pg_ctl, postgres) in a temp folder on a free loopback port with trust auth, and stopped and
/// removed on dispose. If neither works the tests FAIL with the reason (xunit 2.9 has no clean runtime skip, and a
/// missing database must not look like a pass). Every test gets a fresh database. Shared by the test projects as a
/// linked source file (tests/Shared), each of which declares the "PostgreSQL" collection on it.
/// </summary>
public sealed class PostgresServerFixture : IAsyncLifetime
{
    public const string EnvironmentVariable = "SCW_TEST_POSTGRES";

    /// <summary>
    /// Where the server binaries are: /usr/local/bin when they are linked there, else the newest version of Debian's
    /// postgresql package (/usr/lib/postgresql/N/bin), which is what a machine of this kind has installed.
    /// </summary>
    private static readonly string BinFolder = FindBinFolder();

    private static string FindBinFolder()
    {
        if (File.Exists("/usr/local/bin/initdb"))
        {
            return "/usr/local/bin";
        }

        var debian = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var version) ? version : 0).FirstOrDefault()
            : null;
        return debian ?? "/usr/local/bin";
    }

    private readonly List<string> _createdDatabases = [];
    private string? _tempFolder;
    private string? _dataFolder;
    private string? _adminConnectionString;
    private string? _unavailableReason;

    public async Task InitializeAsync()
    {
        try
        {
            var external = Environment.GetEnvironmentVariable(EnvironmentVariable);
            _adminConnectionString = string.IsNullOrWhiteSpace(external) ? await StartThrowawayServerAsync() : external;
            await using var connection = new NpgsqlConnection(_adminConnectionString);
            await connection.OpenAsync();
        }
#pragma warning disable CA1031 // Reported to every test of the collection instead of crashing the fixture.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _unavailableReason =
                $"PostgreSQL is not available for the PostgreSQL tests: {ex.Message}. Set {EnvironmentVariable} to a connection " +
                $"string (user with CREATEDB), or install PostgreSQL so that {BinFolder}/initdb and pg_ctl exist and a 'postgres' OS user exists.";
        }
    }

    /// <summary>Creates an empty database and returns storage options pointing at it; fails the test if there is no server.</summary>
    public async Task<StorageOptions> CreateDatabaseAsync()
    {
        var (name, admin) = NewDatabaseName();
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name};", connection);
            await command.ExecuteNonQueryAsync();
        }

        return Created(name, admin);
    }

    /// <summary>Synchronous twin of <see cref="CreateDatabaseAsync"/> for fixtures built in a test class constructor.</summary>
    public StorageOptions CreateDatabase()
    {
        var (name, admin) = NewDatabaseName();
        using (var connection = new NpgsqlConnection(admin))
        {
            connection.Open();
            using var command = new NpgsqlCommand($"CREATE DATABASE {name};", connection);
            command.ExecuteNonQuery();
        }

        return Created(name, admin);
    }

    private (string Name, string AdminConnectionString) NewDatabaseName()
    {
        if (_unavailableReason is not null || _adminConnectionString is null)
        {
            throw new InvalidOperationException(_unavailableReason ?? "PostgreSQL fixture not initialised.");
        }

        return ("scw_test_" + Guid.NewGuid().ToString("N")[..16], _adminConnectionString);
    }

    private StorageOptions Created(string name, string adminConnectionString)
    {
        lock (_createdDatabases)
        {
            _createdDatabases.Add(name);
        }

        var builder = new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = name };
        return new StorageOptions { Provider = StorageOptions.PostgreSqlProvider, ConnectionString = builder.ToString() };
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_dataFolder is not null)
        {
            // Throwaway server: stopping it removes everything.
            await RunAsync(Path.Combine(BinFolder, "pg_ctl"), ["-D", _dataFolder, "-m", "immediate", "-w", "stop"], asPostgresUser: true, throwOnError: false);
            TryDelete(_tempFolder);
            return;
        }

        if (_adminConnectionString is null || _unavailableReason is not null)
        {
            return;
        }

        // External server: drop what we created.
        await using var connection = new NpgsqlConnection(_adminConnectionString);
        await connection.OpenAsync();
        foreach (var name in _createdDatabases)
        {
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE);", connection);
            await command.ExecuteNonQueryAsync();
        }
    }

    private async Task<string> StartThrowawayServerAsync()
    {
        var initdb = Path.Combine(BinFolder, "initdb");
        var pgCtl = Path.Combine(BinFolder, "pg_ctl");
        if (!File.Exists(initdb) || !File.Exists(pgCtl))
        {
            throw new InvalidOperationException($"{initdb} or {pgCtl} not found");
        }

        var isRoot = Environment.UserName == "root";
        if (isRoot && (await RunAsync("id", ["-u", "postgres"], asPostgresUser: false, throwOnError: false)).ExitCode != 0)
        {
            // initdb refuses to run as root; we do not create OS users from a test.
            throw new InvalidOperationException("running as root but there is no 'postgres' OS user to run initdb as");
        }

        _tempFolder = Path.Combine(Path.GetTempPath(), "scw-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(_tempFolder);
        _dataFolder = Path.Combine(_tempFolder, "data");
        if (isRoot)
        {
            await RunAsync("chown", ["postgres", _tempFolder], asPostgresUser: false, throwOnError: true);
        }

        await RunAsync(initdb, ["-D", _dataFolder, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync", "--no-instructions"], isRoot, throwOnError: true);

        var port = FreeLoopbackPort();
        // fsync off: test speed only; durability of commits is PostgreSQL's business, not what these tests check.
        var serverOptions = $"-c listen_addresses=127.0.0.1 -p {port.ToString(CultureInfo.InvariantCulture)} -k {_tempFolder} -c fsync=off -c max_connections=200";
        await RunAsync(pgCtl, ["-D", _dataFolder, "-l", Path.Combine(_tempFolder, "server.log"), "-o", serverOptions, "-w", "-t", "30", "start"], isRoot, throwOnError: true);

        return $"Host=127.0.0.1;Port={port.ToString(CultureInfo.InvariantCulture)};Username=postgres;Database=postgres;Pooling=true;Maximum Pool Size=50";
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string fileName, string[] arguments, bool asPostgresUser, bool throwOnError)
    {
        var start = new ProcessStartInfo
        {
            FileName = asPostgresUser && Environment.UserName == "root" ? "runuser" : fileName,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (start.FileName == "runuser")
        {
            foreach (var argument in new[] { "-u", "postgres", "--", fileName })
            {
                start.ArgumentList.Add(argument);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var output = (await stdout) + (await stderr);
        if (throwOnError && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} exited with {process.ExitCode}: {output.Trim()}");
        }

        return (process.ExitCode, output);
    }

    private static void TryDelete(string? folder)
    {
        try
        {
            if (folder is not null)
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>Every PostgreSQL test class of an assembly shares one server (this file is compiled into each test project).</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServerFixture>
{
    public const string Name = "PostgreSQL";
}

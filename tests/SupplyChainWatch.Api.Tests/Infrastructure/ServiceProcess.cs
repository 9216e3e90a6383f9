using System.Diagnostics;
using System.Globalization;
using System.Text;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Api.Tests.Infrastructure;

/// <summary>
/// The service as a real operating-system process (the built SupplyChainWatch.Api.dll), so tests can kill it
/// with SIGKILL and start it again on the same data folder.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServiceProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts the service and waits until /health/ready answers; <paramref name="storage"/> defaults to SQLite in the data folder.</summary>
    public static async Task<ServiceProcess> StartAsync(string dataDirectory, IDictionary<string, string>? settings = null, StorageOptions? storage = null)
    {
        var port = FreePort.Next();
        var start = StartInfo(dataDirectory, settings, storage, []);
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        var process = new Process { StartInfo = start };
        var service = new ServiceProcess(process, new Uri($"http://127.0.0.1:{port}"));
        process.OutputDataReceived += (_, e) => service.Append(e.Data);
        process.ErrorDataReceived += (_, e) => service.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await service.WaitUntilReadyAsync(TimeSpan.FromSeconds(90));
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }

        return service;
    }

    /// <summary>Runs the service binary with arguments (e.g. <c>migrate</c>) until it exits; returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunToExitAsync(string dataDirectory, string[] arguments, StorageOptions? storage = null, IDictionary<string, string>? settings = null, TimeSpan? timeout = null)
    {
        var start = StartInfo(dataDirectory, settings, storage, arguments);
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{FreePort.Next()}";
        using var process = new Process { StartInfo = start };
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"'{string.Join(' ', arguments)}' did not exit in time:\n{output}");
        }

        // WaitForExitAsync returns once the redirected streams are drained too.
        lock (output)
        {
            return (process.ExitCode, output.ToString());
        }
    }

    private static ProcessStartInfo StartInfo(string dataDirectory, IDictionary<string, string>? settings, StorageOptions? storage, string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet", [ApiAssemblyPath(), .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dataDirectory,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Storage__Provider"] = storage?.Provider ?? StorageOptions.SqliteProvider;
        start.Environment["Storage__ConnectionString"] = storage?.ConnectionString ?? $"Data Source={Path.Combine(dataDirectory, "scw.db")}";
        start.Environment["RiskModel__ConfigDirectory"] = TestPaths.ConfigDirectory;
        start.Environment["Cluster__SiloPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture);
        start.Environment["Cluster__GatewayPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture);
        // Tests drive the process hard from one client; the rate limit has its own test.
        start.Environment["RateLimiting__PermitLimit"] = "1000000";
        foreach (var (key, value) in TestTokens.Settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        return start;
    }

    public int ProcessId => _process.Id;

    /// <summary>A client with a token carrying <see cref="TestTokens.DefaultRoles"/>.</summary>
    public HttpClient CreateClient()
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = TestTokens.Bearer(TestTokens.DefaultRoles);
        return client;
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing, the way a power cut or OOM kill ends a process.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, the way an orchestrator stops a container: the host shuts down and the silo leaves the cluster.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill!.WaitForExitAsync();
        }

        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        using var client = CreateClient();
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The service exited with {_process.ExitCode}:\n{Output}");
            }

            try
            {
                using var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"The service did not become ready in {timeout}:\n{Output}");
    }

    /// <summary>The API built next to this test project, in the same configuration (Debug or Release).</summary>
    private static string ApiAssemblyPath()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var path = Path.Combine(TestPaths.RepositoryRoot, "src", "SupplyChainWatch.Api", "bin", configuration, "net10.0", "SupplyChainWatch.Api.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("Build the solution first.", path);
    }
}

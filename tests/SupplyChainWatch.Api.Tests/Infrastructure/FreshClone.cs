using System.Diagnostics;
using System.Text;

namespace SupplyChainWatch.Api.Tests.Infrastructure;

/// <summary>
/// A new user's machine: a copy of the repository as a clone would have it (the files git tracks, plus untracked files
/// git does not ignore, so uncommitted work is tested too) and an empty home directory, with nothing built, no user
/// secrets and no tools. Commands run with a minimal environment, as a new shell would have it.
/// </summary>
public sealed class FreshClone : IAsyncDisposable
{
    private readonly List<Process> _background = [];

    private FreshClone(string root, string home)
    {
        Root = root;
        Home = home;
    }

    public string Root { get; }

    public string Home { get; }

    public static async Task<FreshClone> CreateAsync()
    {
        var root = TestPaths.NewTempDirectory();
        var home = TestPaths.NewTempDirectory();
        var files = await RunAsync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], TestPaths.RepositoryRoot);
        foreach (var file in files.Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            var source = Path.Combine(TestPaths.RepositoryRoot, file);
            if (!File.Exists(source))
            {
                continue; // deleted in the working tree, not yet committed
            }

            var target = Path.Combine(root, file);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(source, target);
        }

        return new FreshClone(root, home);
    }

    /// <summary>
    /// A login shell's environment on a new machine. The one thing shared with this machine is NuGet's package folder:
    /// it holds immutable, content-addressed package files, so sharing it only spares a second download of the same
    /// bytes; restores still run, from the project files of the clone.
    /// </summary>
    public ProcessStartInfo Bash(string script)
    {
        var start = new ProcessStartInfo("bash", ["-euo", "pipefail", "-c", script])
        {
            WorkingDirectory = Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment.Clear();
        start.Environment["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin";
        start.Environment["HOME"] = Home;
        start.Environment["LANG"] = "C.UTF-8";
        start.Environment["NUGET_PACKAGES"] = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        return start;
    }

    /// <summary>Runs a script to its end; returns its exit code and everything it printed.</summary>
    public async Task<(int ExitCode, string Output, string Errors)> RunAsync(string script, TimeSpan timeout)
    {
        using var process = Process.Start(Bash(script)) ?? throw new InvalidOperationException("bash did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{script}' did not finish in {timeout}:\n{await output}\n{await errors}");
        }

        return (process.ExitCode, await output, await errors);
    }

    /// <summary>Starts a long-running script (a server); it and its children are killed when this clone is disposed.</summary>
    public Func<string> Start(string script)
    {
        var output = new StringBuilder();
        var process = new Process { StartInfo = Bash(script) };
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _background.Add(process);
        return () =>
        {
            lock (output)
            {
                return output.ToString();
            }
        };
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _background)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }
    }

    private static async Task<string> RunAsync(string file, string[] arguments, string directory)
    {
        var start = new ProcessStartInfo(file, arguments) { WorkingDirectory = directory, RedirectStandardOutput = true, UseShellExecute = false };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed with {process.ExitCode}");
    }
}

/// <summary>The README's own text, cut into the parts tests run exactly as printed.</summary>
public static class Readme
{
    public static string Text { get; } = File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "README.md"));

    /// <summary>The first <c>```bash</c> block after <paramref name="marker"/>.</summary>
    public static string BashBlockAfter(string marker)
    {
        var at = Text.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(at >= 0, $"README.md has no '{marker}'");
        var start = Text.IndexOf("```bash", at, StringComparison.Ordinal) + "```bash".Length;
        return Text[start..Text.IndexOf("```", start, StringComparison.Ordinal)].Trim();
    }
}

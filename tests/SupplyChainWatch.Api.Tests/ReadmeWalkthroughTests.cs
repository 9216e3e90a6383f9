using System.Diagnostics;
using System.Net;
using SupplyChainWatch.Api.Tests.Infrastructure;

namespace SupplyChainWatch.Api.Tests;

/// <summary>The README's curl walk-through, run as written (port aside) against the real service process.</summary>
public sealed class ReadmeWalkthroughTests
{
    [Fact]
    public async Task The_readme_curl_walkthrough_runs_against_the_real_service()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(TestPaths.RepositoryRoot, "README.md"));
        var section = readme[readme.IndexOf("### A walk through with curl", StringComparison.Ordinal)..];
        var start = section.IndexOf("```bash", StringComparison.Ordinal) + "```bash".Length;
        var script = section[start..section.IndexOf("```", start, StringComparison.Ordinal)];
        Assert.Contains("curl -sf", script, StringComparison.Ordinal);

        await using var service = await ServiceProcess.StartAsync(TestPaths.NewTempDirectory());
        script = script.Replace("http://localhost:5080", service.BaseAddress.ToString().TrimEnd('/'), StringComparison.Ordinal);
        // `dotnet user-jwts` mints tokens for the Development profile; the test service trusts the test key instead.
        var tokenLine = script[script.IndexOf("TOKEN=$(", StringComparison.Ordinal)..script.IndexOf("\nA=", StringComparison.Ordinal)];
        Assert.Contains("dotnet user-jwts create", tokenLine, StringComparison.Ordinal);
        // Same roles as the README's token: the walk must work with exactly what it tells readers to mint.
        var roles = System.Text.RegularExpressions.Regex.Matches(tokenLine, @"--role ([a-z-]+)").Select(m => m.Groups[1].Value).ToArray();
        Assert.NotEmpty(roles);
        script = script.Replace(tokenLine, $"TOKEN={TestTokens.Create("readme-walkthrough", roles)}", StringComparison.Ordinal);

        var bash = new ProcessStartInfo("bash", ["-euo", "pipefail", "-c", script])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(bash)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"walk-through failed ({process.ExitCode}):\n{await output}\n{await errors}\n{service.Output}");

        // The walk-through left an explained, non-trivial risk behind.
        using var client = service.CreateClient();
        var risk = (await client.GetJsonAsync("/api/v1/suppliers/sunrise-2/risk")).Expect(HttpStatusCode.OK);
        Assert.True(risk["score"]!.GetValue<int>() > 0);
        Assert.Contains("sunrise-2", await output, StringComparison.Ordinal);
    }
}

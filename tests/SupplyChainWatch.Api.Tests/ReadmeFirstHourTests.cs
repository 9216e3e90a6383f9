using System.Net;
using System.Net.Http.Headers;
using SupplyChainWatch.Api.Tests.Infrastructure;

namespace SupplyChainWatch.Api.Tests;

/// <summary>
/// A new user's first hour: in a fresh clone with a fresh home directory, the README's run command and its curl
/// walk-through, token included, exactly as the README prints them. Nothing here swaps in a test token, a setting or a
/// port: if the README's commands do not work as written, this fails.
/// </summary>
public sealed class ReadmeFirstHourTests
{
    private static readonly Uri ReadmeService = new("http://localhost:5080");

    [Fact]
    public async Task The_readme_run_command_and_walkthrough_work_as_printed_in_a_fresh_clone()
    {
        var run = Readme.BashBlockAfter("**Run**");
        var walk = Readme.BashBlockAfter("### A walk through with curl");
        Assert.StartsWith("dotnet run", run, StringComparison.Ordinal);
        Assert.Contains("dotnet user-jwts create", walk, StringComparison.Ordinal);

        using (var probe = new HttpClient { BaseAddress = ReadmeService, Timeout = TimeSpan.FromSeconds(2) })
        {
            var busy = await probe.GetAsync(new Uri("/health/live", UriKind.Relative)).ContinueWith(t => t.IsCompletedSuccessfully, TaskScheduler.Default);
            Assert.False(busy, $"{ReadmeService} already answers: stop the service running there, this test starts the README's own");
        }

        await using var clone = await FreshClone.CreateAsync();
        var serviceOutput = clone.Start(run);
        await WaitUntilReadyAsync(serviceOutput, TimeSpan.FromMinutes(8));

        // The walk-through as printed; one line appended so this test can look at what the walk left behind with the
        // very token the README minted.
        var (exitCode, output, errors) = await clone.RunAsync(walk + "\nprintf '\\nreadme-token:%s\\n' \"$TOKEN\"\n", TimeSpan.FromMinutes(4));
        Assert.True(exitCode == 0, $"walk-through failed ({exitCode}):\n{output}\n{errors}\nservice:\n{serviceOutput()}");
        var token = output[(output.LastIndexOf("readme-token:", StringComparison.Ordinal) + "readme-token:".Length)..].Trim();

        // Started from the repository root: the settings files were loaded (Development, quiet Orleans) and the store is
        // ./data of the clone, where the README says.
        var log = serviceOutput();
        Assert.Contains("Hosting environment: Development", log, StringComparison.Ordinal);
        Assert.DoesNotContain("Orleans.Runtime.Watchdog", log, StringComparison.Ordinal);
        Assert.DoesNotContain("info: Orleans", log, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(clone.Root, "data", "supplychainwatch.db")), "no ./data/supplychainwatch.db in the clone");

        using var client = new HttpClient { BaseAddress = ReadmeService };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var risk = (await client.GetJsonAsync("/api/v1/suppliers/sunrise-2/risk")).Expect(HttpStatusCode.OK);
        Assert.True(risk["score"]!.GetValue<int>() > 0);
        Assert.Contains("sunrise-2", output, StringComparison.Ordinal);

        // The past the walk-through shows is not empty: its "dated" read sees the audit, which was loaded later.
        var pastUrl = System.Text.RegularExpressions.Regex.Match(walk, @"\$API(/suppliers/sunrise-2/risk\?dated=[^""]+)").Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(pastUrl), "the walk-through shows no dated past risk");
        var past = (await client.GetJsonAsync("/api/v1" + pastUrl)).Expect(HttpStatusCode.OK);
        Assert.True(past["score"]!.GetValue<int>() > 0, past.ToJsonString());
        Assert.StartsWith("2026-10-10", past["evaluatedAt"]!.GetValue<string>(), StringComparison.Ordinal);

        // Its escalation list raises no false alarm: the grievance was acknowledged two days after it was received.
        // Escalations follow the answers behind them (a separate process: polled until some are there).
        var escalations = (await ApiCalls.EventuallyAsync(() => client.GetJsonAsync("/api/v1/escalations?subjectId=sup:sunrise-2"),
            r => r.Body?["items"]?.AsArray().Count > 0)).Expect(HttpStatusCode.OK);
        var types = escalations["items"]!.AsArray().Select(e => e!["type"]!.GetValue<string>()).ToList();
        Assert.NotEmpty(types);
        Assert.DoesNotContain("grievance.acknowledgement_overdue", types);

        // "Generating your own client", as printed, in a folder of the user's own (the README says to run it there),
        // against the service the README started: a C# client and TypeScript types that know the API's operations.
        var generate = Readme.BashBlockAfter("### Generating your own client");
        Assert.Contains("nswag", generate, StringComparison.Ordinal);
        var own = Path.Combine(clone.Home, "my-integration");
        Directory.CreateDirectory(own);
        var (generated, generateOutput, generateErrors) = await clone.RunAsync($"cd '{own}'\n{generate}\n", TimeSpan.FromMinutes(5));
        Assert.True(generated == 0, $"client generation failed ({generated}):\n{generateOutput}\n{generateErrors}");
        var csharp = await File.ReadAllTextAsync(Path.Combine(own, "SupplyChainWatchClient.cs"));
        Assert.Contains("namespace MyCompany.SupplyChainWatch", csharp, StringComparison.Ordinal);
        Assert.Contains("class SupplyChainWatchClient", csharp, StringComparison.Ordinal);
        Assert.Contains("SubmitAuditAsync", csharp, StringComparison.Ordinal);
        var typescript = await File.ReadAllTextAsync(Path.Combine(own, "supplychainwatch.d.ts"));
        Assert.Contains("\"/api/v1/audits\"", typescript, StringComparison.Ordinal);
        Assert.Contains("VerificationView", typescript, StringComparison.Ordinal);
    }

    private static async Task WaitUntilReadyAsync(Func<string> serviceOutput, TimeSpan timeout)
    {
        using var client = new HttpClient { BaseAddress = ReadmeService, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
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
                // Still building or starting.
            }
            catch (TaskCanceledException)
            {
                // Busy machine.
            }

            await Task.Delay(500);
        }

        throw new TimeoutException($"The README's run command did not serve {ReadmeService}health/ready within {timeout}:\n{serviceOutput()}");
    }
}

using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace SupplyChainWatch.Api.Tests.Infrastructure;

/// <summary>One request a receiver got, as it arrived on the wire.</summary>
public sealed record ReceivedWebhook(string Path, string Id, string Timestamp, string Signature, string Body, DateTimeOffset ReceivedAt, int AnsweredStatus)
{
    public JsonNode Json => JsonNode.Parse(Body)!;
}

/// <summary>What the receiver answers: a status, optionally a Retry-After in seconds, after an optional delay.</summary>
public sealed record ReceiverAnswer(int Status, int? RetryAfterSeconds = null, TimeSpan? Delay = null);

/// <summary>
/// A real HTTP receiver: Kestrel on loopback, started by the test. Records every request (headers and raw body) and
/// answers as the test scripts it (per path, by how many requests that path had before).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<ReceivedWebhook> _received = [];
    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);

    private WebhookReceiver(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <summary>Decides the answer from the path and the number of earlier requests on it. Default: 204.</summary>
    public Func<string, int, ReceiverAnswer> Answer { get; set; } = (_, _) => new ReceiverAnswer(204);

    public IReadOnlyList<ReceivedWebhook> Received
    {
        get
        {
            lock (_received)
            {
                return [.. _received];
            }
        }
    }

    public IReadOnlyList<ReceivedWebhook> On(string path) => [.. Received.Where(r => r.Path == path)];

    public string Url(string path) => new Uri(BaseAddress, path).ToString();

    public static async Task<WebhookReceiver> StartAsync(int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        WebhookReceiver? receiver = null;
        app.Run(async context => await receiver!.HandleAsync(context));
        await app.StartAsync();
        receiver = new WebhookReceiver(app, new Uri(app.Urls.First()));
        return receiver;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var path = context.Request.Path.Value ?? "/";
        int index;
        lock (_received)
        {
            index = _counts.GetValueOrDefault(path);
            _counts[path] = index + 1;
        }

        // Recorded on arrival, before any scripted delay: a sender killed while waiting for the answer has still sent.
        var answer = Answer(path, index);
        lock (_received)
        {
            _received.Add(new ReceivedWebhook(path, context.Request.Headers["webhook-id"].ToString(), context.Request.Headers["webhook-timestamp"].ToString(),
                context.Request.Headers["webhook-signature"].ToString(), body, DateTimeOffset.UtcNow, answer.Status));
        }

        if (answer.Delay is { } delay)
        {
            await Task.Delay(delay, CancellationToken.None);
        }

        context.Response.StatusCode = answer.Status;
        if (answer.RetryAfterSeconds is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>Receiver-side verification, written from the Standard Webhooks spec (not with the service's code).</summary>
public static class WebhookVerification
{
    /// <summary>True when one of the space-separated <c>v1,</c> signatures matches the secret and the timestamp is within 5 minutes.</summary>
    public static bool Verify(ReceivedWebhook received, string secret)
    {
        ArgumentNullException.ThrowIfNull(received);
        ArgumentNullException.ThrowIfNull(secret);
        if (!long.TryParse(received.Timestamp, out var timestamp) || Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - timestamp) > 300)
        {
            return false;
        }

        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var expected = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{received.Id}.{received.Timestamp}.{received.Body}"));
        return received.Signature.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Where(s => s.StartsWith("v1,", StringComparison.Ordinal))
            .Any(s => CryptographicOperations.FixedTimeEquals(Convert.FromBase64String(s[3..]), expected));
    }

    /// <summary>
    /// Verifies deliveries with the npm package <c>standardwebhooks</c> (tests/webhook-interop, installed by <c>npm ci</c>).
    /// Returns how many verified and the failures.
    /// </summary>
    public static async Task<(int Verified, string Failures)> VerifyWithNodeAsync(IEnumerable<(ReceivedWebhook Received, string Secret)> deliveries)
    {
        var folder = Path.Combine(TestPaths.RepositoryRoot, "tests", "webhook-interop");
        Assert.True(Directory.Exists(Path.Combine(folder, "node_modules", "standardwebhooks")),
            $"The npm package standardwebhooks is not installed: run 'npm ci' in {folder} (.ci/run does).");
        var input = JsonSerializer.Serialize(deliveries.Select(d => new { secret = d.Secret, id = d.Received.Id, timestamp = d.Received.Timestamp, signature = d.Received.Signature, body = d.Received.Body }));
        var start = new ProcessStartInfo("node", ["verify.js"])
        {
            WorkingDirectory = folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"node verify.js exited with {process.ExitCode}: {error}");
        var result = JsonNode.Parse(output)!;
        return (result["verified"]!.GetValue<int>(), result["failures"]!.ToJsonString());
    }
}

/// <summary>Settings that let tests deliver to receivers on loopback quickly.</summary>
public static class WebhookTestSettings
{
    public static void Apply(IDictionary<string, string> settings, bool allowLoopback = true)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings["Webhooks:AllowHttpHosts:0"] = "127.0.0.1";
        settings["Webhooks:AllowHttpHosts:1"] = "localhost";
        if (allowLoopback)
        {
            settings["Webhooks:AllowPrivateHosts:0"] = "127.0.0.1";
        }
        else
        {
            settings.Remove("Webhooks:AllowPrivateHosts:0");
        }

        settings["Webhooks:RetryDelays:0"] = "00:00:00.200";
        settings["Webhooks:RetryDelays:1"] = "00:00:00.400";
        settings["Webhooks:RetryDelays:2"] = "00:00:00.800";
        settings["Webhooks:RetryDelays:3"] = "00:00:01.600";
        settings["Webhooks:JitterFraction"] = "0.1";
        settings["Webhooks:PollInterval"] = "00:00:00.050";
    }
}

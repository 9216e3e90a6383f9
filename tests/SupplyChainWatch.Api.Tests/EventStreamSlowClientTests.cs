using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using SupplyChainWatch.Api.Tests.Infrastructure;
using SupplyChainWatch.Grains.Live;
using Xunit.Abstractions;

namespace SupplyChainWatch.Api.Tests;

/// <summary>
/// Back-pressure over real sockets: a stream client that never reads is dropped by the service, while a client that reads
/// gets every event and the ingest completes. The hub's own rule is tested in LiveEventHubTests; this is the HTTP path
/// (Kestrel, the SSE writer, TCP buffers) end to end.
/// </summary>
public sealed class EventStreamSlowClientTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>
    /// Audits for as many new suppliers: each has a risk.changed event and escalations, several thousand events for the
    /// slow client, far beyond what its TCP buffers, Kestrel's response buffer and the hub's 1,024 events can hold.
    /// </summary>
    private const int Signals = 1500;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    // Small socket send buffers on the service's side (accepted sockets inherit the listener's), as on the client's: the
    // kernel would otherwise grow a loopback connection's buffers to megabytes, and hold every event of the test.
    private readonly ServiceFactory _factory = new()
    {
        ConfigureServices = services => services.Configure<SocketTransportOptions>(options => options.CreateBoundListenSocket = endpoint =>
        {
            var socket = SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
            socket.SendBufferSize = 4096;
            return socket;
        }),
    };

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task A_client_that_never_reads_is_dropped_while_a_reading_client_gets_every_event_and_the_ingest_completes()
    {
        var port = FreePort.Next();
        _factory.UseKestrel(port);
        _factory.StartServer();
        var hub = _factory.Service<LiveEventHub>();
        var clientsBefore = hub.ClientCount;
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = Timeout };
        http.DefaultRequestHeaders.Authorization = TestTokens.Bearer(["compliance", "admin"]);

        // The slow client: a raw socket with a small receive buffer that sends its request and then reads nothing.
        using var slow = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await slow.ConnectAsync(IPAddress.Loopback, port);
        await slow.SendAsync(Encoding.ASCII.GetBytes(
            $"GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\nConnection: close\r\n" +
            $"Authorization: Bearer {TestTokens.Create("slow-reader", "compliance")}\r\n\r\n"));

        // The normal client reads risk changes as they come.
        await using var normal = await EventStream.OpenAsync(http, "/api/v1/events?types=risk.changed");
        var expected = Enumerable.Range(0, Signals).Select(i => $"sse-slow-{i}-aud/F1").ToHashSet(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var reading = Task.Run(async () =>
        {
            while (!expected.IsSubsetOf(seen))
            {
                var message = await normal.NextAsync(Timeout);
                if (message.Data?["signalId"]?.GetValue<string>() is { } signalId)
                {
                    seen.Add(signalId);
                }
            }
        });

        // Both are subscribed (the service sends its headers once the hub has a client) before anything is ingested.
        await WaitUntilAsync(() => hub.ClientCount == clientsBefore + 2, "both stream clients subscribed");
        var droppedBefore = hub.Dropped;

        var file = new StringBuilder();
        for (var i = 0; i < Signals; i++)
        {
            var line = JsonSerializer.SerializeToNode(Samples.Audit($"sse-slow-{i}-aud", $"sse-slow-{i}", null,
                Samples.Finding("F1", "wages", "critical", 40, codes: "wage-withholding")), new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
            line["kind"] = "audit";
            file.Append(line.ToJsonString()).Append('\n');
        }

        using var content = new StringContent(file.ToString(), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
        using var imported = await http.PostAsync("/api/v1/signals:import", content);
        var summary = JsonNode.Parse(await imported.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
        Assert.Equal(Signals, summary["accepted"]!.GetValue<long>());

        // The reading client gets the risk change of every signal, none missing.
        await reading.WaitAsync(Timeout);
        Assert.Superset(expected, seen);

        // The service dropped the slow client and closed its connection: what it had buffered is readable, then the
        // stream ends, short of the events the reading client got.
        var received = await ReadToEndAsync(slow);
        Assert.StartsWith("HTTP/1.1 200", received, StringComparison.Ordinal);
        var riskChanges = received.Split("event: risk.changed\n").Length - 1;
        output.WriteLine($"slow client: {received.Length:N0} characters, {riskChanges} risk changes; dropped by the hub: {hub.Dropped - droppedBefore}");
        Assert.InRange(riskChanges, 0, Signals - 1);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        using var cancel = new CancellationTokenSource(Timeout);
        while (!condition())
        {
            Assert.False(cancel.IsCancellationRequested, $"timed out waiting for {what}");
            await Task.Delay(20, CancellationToken.None);
        }
    }

    /// <summary>Everything the socket has until the service closes it (end of stream or reset); fails if it stays open.</summary>
    private static async Task<string> ReadToEndAsync(Socket socket)
    {
        using var cancel = new CancellationTokenSource(Timeout);
        var text = new StringBuilder();
        var buffer = new byte[1 << 16];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancel.Token)) > 0)
            {
                text.Append(Encoding.UTF8.GetString(buffer, 0, read));
            }
        }
        catch (SocketException exception) when (exception.SocketErrorCode == SocketError.ConnectionReset)
        {
            // Closed with data unsent: as much a drop as an orderly close.
        }
        catch (OperationCanceledException)
        {
            Assert.Fail("the service kept the slow client's connection open");
        }

        return text.ToString();
    }
}

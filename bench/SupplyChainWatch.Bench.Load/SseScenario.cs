using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

/// <summary>
/// Live stream under load: ingest at the bench's concurrency with N SSE clients connected to GET /api/v1/events and with
/// none, in alternating rounds of one run (none→with, then with→none, ...), so the ratio compares figures of one window.
/// Every signal goes to a supplier nothing is known about, so each acknowledged signal has exactly one risk.changed event
/// naming it (a subject's first evaluation is always a change); each client records, for every such event, the time from
/// the 201 to its arrival. Clients connect fresh each "with" round and go before each "none" round.
/// </summary>
internal static class SseScenario
{
    /// <summary>How long a round waits, after its last acknowledgement, for every client to have every event.</summary>
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(30);

    public sealed record Figures(
        double[] RatesWith, double[] RatesWithout, double[] P50s, double[] P99s, double[] Maxima, long Deliveries, long Missing, int ClientsDropped,
        double GeneratorCpuWith, double GeneratorCpuWithout, double ServiceCpuWith, double ServiceCpuWithout, double[] IngestP99With, double[] IngestP99Without);

    public static async Task<Figures> RunAsync(
        Uri baseUrl, AuthenticationHeaderValue token, HttpClient http, SyntheticData data, int servicePid, int clientCount, int connections, double seconds, int rounds)
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var acks = new ConcurrentDictionary<int, long>();
        var next = -1;
        var ratesWith = new List<double>();
        var ratesWithout = new List<double>();
        var p50s = new List<double>();
        var p99s = new List<double>();
        var maxima = new List<double>();
        var ingestP99With = new List<double>();
        var ingestP99Without = new List<double>();
        long deliveries = 0, missing = 0;
        var dropped = 0;
        double generatorCpuWith = 0, generatorCpuWithout = 0, serviceCpuWith = 0, serviceCpuWithout = 0;
        long requestsWith = 0, requestsWithout = 0;

        // The SSE clients have a pool of their own, one connection each; the ingest keeps the bench's client.
        using var streamHandler = new SocketsHttpHandler { MaxConnectionsPerServer = clientCount + 8, PooledConnectionLifetime = Timeout.InfiniteTimeSpan, UseCookies = false };
        using var streamHttp = new HttpClient(streamHandler) { BaseAddress = baseUrl, Timeout = Timeout.InfiniteTimeSpan };
        streamHttp.DefaultRequestHeaders.Authorization = token;

        async Task<LoopResult> IngestAsync() => await Load.ClosedLoopAsync(connections, seconds, async () =>
        {
            var i = Interlocked.Increment(ref next);
            await Http.ExpectAsync(http.PostAsync("/api/v1/audits", Http.Json(data.AuditFor($"SSE-{tag}-{i}", $"sse-{tag}-{i}", i))), HttpStatusCode.Created);
            acks[i] = Stopwatch.GetTimestamp();
        });

        // Warm-up, not counted: the ingest path and a few streams' once (JIT, connection pools, the first activations).
        await using (var warm = await SseClient.OpenAsync(streamHttp, tag, 0))
        {
            await IngestAsync();
        }

        for (var round = 0; round < rounds; round++)
        {
            // Odd rounds run "with" first: a drift of the machine's other load over the run favours neither side.
            foreach (var withClients in round % 2 == 0 ? new[] { false, true } : [true, false])
            {
                if (!withClients)
                {
                    var cpu = (Process.CpuSeconds(Environment.ProcessId), Process.CpuSeconds(servicePid));
                    var alone = await IngestAsync();
                    generatorCpuWithout += Process.CpuSeconds(Environment.ProcessId) - cpu.Item1;
                    serviceCpuWithout += Process.CpuSeconds(servicePid) - cpu.Item2;
                    requestsWithout += alone.Count;
                    ratesWithout.Add(alone.Rate);
                    ingestP99Without.Add(alone.P99);
                    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sse round {round + 1}, no clients: {alone.Rate:0} req/s"));
                    continue;
                }

                var first = Volatile.Read(ref next) + 1; // Nothing is ingested while the clients connect.
                var clients = new SseClient[clientCount];
                var opened = Stopwatch.StartNew();
                await Load.ForEachAsync(Enumerable.Range(0, clientCount), 32, async c => clients[c] = await SseClient.OpenAsync(streamHttp, tag, first));
                Console.Error.WriteLine($"sse round {round + 1}: {clientCount} clients connected in {opened.Elapsed.TotalSeconds:0.0} s");
                var cpuBefore = (Process.CpuSeconds(Environment.ProcessId), Process.CpuSeconds(servicePid));
                var loaded = await IngestAsync();
                generatorCpuWith += Process.CpuSeconds(Environment.ProcessId) - cpuBefore.Item1;
                serviceCpuWith += Process.CpuSeconds(servicePid) - cpuBefore.Item2;
                requestsWith += loaded.Count;
                var last = Volatile.Read(ref next);
                var expected = last - first + 1;

                // Every client should now get every event of the round; wait for that (or the timeout), then close them.
                var drain = Stopwatch.StartNew();
                while (drain.Elapsed < DrainTimeout && clients.Any(c => !c.Ended && c.Count < expected))
                {
                    await Task.Delay(50);
                }

                var latencies = new List<double>(expected * clientCount);
                foreach (var client in clients)
                {
                    await client.DisposeAsync();
                    latencies.AddRange(client.LatenciesMs(acks));
                    missing += expected - client.Count;
                    dropped += client.EndedByServer ? 1 : 0;
                }

                var sorted = latencies.Order().ToArray();
                deliveries += sorted.Length;
                ratesWith.Add(loaded.Rate);
                ingestP99With.Add(loaded.P99);
                p50s.Add(Load.Percentile(sorted, 0.5));
                p99s.Add(Load.Percentile(sorted, 0.99));
                maxima.Add(sorted.Length > 0 ? sorted[^1] : double.NaN);
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"sse round {round + 1}, {clientCount} clients: {loaded.Rate:0} req/s, {expected} signals, {sorted.Length} deliveries, ack->event p50 {p50s[^1]:0.0} ms p99 {p99s[^1]:0.0} ms, drained in {drain.Elapsed.TotalSeconds:0.0} s"));

                // The server sees the closed connections as aborted requests; the hub lets the clients go at once.
                await Task.Delay(1_000);
            }
        }

        return new Figures([.. ratesWith], [.. ratesWithout], [.. p50s], [.. p99s], [.. maxima], deliveries, missing, dropped,
            generatorCpuWith * 1e6 / Math.Max(1, requestsWith), generatorCpuWithout * 1e6 / Math.Max(1, requestsWithout),
            serviceCpuWith * 1e6 / Math.Max(1, requestsWith), serviceCpuWithout * 1e6 / Math.Max(1, requestsWithout), [.. ingestP99With], [.. ingestP99Without]);
    }

    /// <summary>
    /// One SSE connection read as raw bytes: the data lines of risk.changed events are searched for the signal id this run
    /// gave its audits (no JSON parse), and each arrival is timed once per read (events read together arrived together).
    /// Cheap on purpose: the load generator shares the machine's two cores with the service under test.
    /// </summary>
    private sealed class SseClient : IAsyncDisposable
    {
        private readonly HttpResponseMessage _response;
        private readonly Stream _body;
        private readonly byte[] _marker;
        private readonly ConcurrentQueue<(int Signal, long At)> _arrivals = new();
        private readonly HashSet<int> _seen = [];
        private readonly int _first;
        private int _count;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _reading;

        private SseClient(HttpResponseMessage response, Stream body, string tag, int first)
        {
            _first = first;
            _response = response;
            _body = body;
            _marker = Encoding.ASCII.GetBytes($"\"signalId\":\"SSE-{tag}-");
            _reading = Task.Run(ReadAsync);
        }

        /// <summary>The stream ended (server closed it, or it failed) before the bench closed it.</summary>
        public bool Ended { get; private set; }

        public bool EndedByServer => Ended && !_stop.IsCancellationRequested;

        /// <summary>Events of this round's signals (numbered from <c>first</c>) received, each once.</summary>
        public int Count => Volatile.Read(ref _count);

        public static async Task<SseClient> OpenAsync(HttpClient http, string tag, int first)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/events?types=risk.changed");
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"GET /api/v1/events: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }

            // The service sends the headers once the client is subscribed: from here on it gets every event.
            return new SseClient(response, await response.Content.ReadAsStreamAsync(), tag, first);
        }

        /// <summary>Ack → arrival of each event received; one read before its 201 was counts as 0. Call after disposing.</summary>
        public IEnumerable<double> LatenciesMs(ConcurrentDictionary<int, long> acks) =>
            _arrivals.Where(a => acks.ContainsKey(a.Signal)).Select(a => Math.Max(0, Stopwatch.GetElapsedTime(acks[a.Signal], a.At).TotalMilliseconds));

        private async Task ReadAsync()
        {
            var buffer = new byte[1 << 16];
            var filled = 0;
            try
            {
                while (true)
                {
                    var read = await _body.ReadAsync(buffer.AsMemory(filled), _stop.Token);
                    if (read == 0)
                    {
                        break;
                    }

                    var at = Stopwatch.GetTimestamp();
                    filled += read;
                    var consumed = Scan(buffer.AsSpan(0, filled), at);
                    buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                    filled -= consumed;
                }
            }
            catch (Exception exception) when (exception is OperationCanceledException or IOException or HttpRequestException or ObjectDisposedException)
            {
                // Closed by the bench, or by the server (a dropped client).
            }

            Ended = true;
        }

        /// <summary>Records the signal of every complete line that names one of this run's; returns the bytes consumed.</summary>
        private int Scan(ReadOnlySpan<byte> text, long at)
        {
            var consumed = 0;
            int newline;
            while ((newline = text[consumed..].IndexOf((byte)'\n')) >= 0)
            {
                var line = text.Slice(consumed, newline);
                consumed += newline + 1;
                var marker = line.IndexOf(_marker);
                if (marker < 0)
                {
                    continue;
                }

                var digits = line[(marker + _marker.Length)..];
                var signal = 0;
                for (var k = 0; k < digits.Length && digits[k] is >= (byte)'0' and <= (byte)'9'; k++)
                {
                    signal = (signal * 10) + (digits[k] - '0');
                }

                // Only the reader touches the set; stragglers of an earlier round (no clients then) are not this round's.
                if (signal >= _first && _seen.Add(signal))
                {
                    _arrivals.Enqueue((signal, at));
                    Interlocked.Increment(ref _count);
                }
            }

            return consumed;
        }

        public async ValueTask DisposeAsync()
        {
            if (!Ended)
            {
                await _stop.CancelAsync();
            }

            _response.Dispose();
            try
            {
                await _reading;
            }
            finally
            {
                _stop.Dispose();
            }
        }
    }
}

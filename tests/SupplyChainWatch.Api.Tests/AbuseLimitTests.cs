using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using SupplyChainWatch.Api.Tests.Infrastructure;

namespace SupplyChainWatch.Api.Tests;

/// <summary>Rate limits (429), body limits (413), JSON limits, closed CORS, security headers and the Swagger shell.</summary>
public sealed class AbuseLimitTests : IDisposable
{
    private readonly ServiceFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task A_client_over_its_rate_limit_gets_429_problem_details_with_retry_after_and_others_are_not_throttled()
    {
        _factory.Settings["RateLimiting:PermitLimit"] = "5";
        _factory.Settings["RateLimiting:Window"] = "00:01:00";
        using var greedy = _factory.CreateClient(["compliance"]);
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? rejected = null;
        for (var i = 0; i < 8; i++)
        {
            var response = await greedy.GetAsync(new Uri("/api/v1/suppliers", UriKind.Relative));
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                rejected ??= response;
            }
        }

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.OK, 5).Concat(Enumerable.Repeat(HttpStatusCode.TooManyRequests, 3)), statuses);
        Assert.NotNull(rejected);
        Assert.Equal("application/problem+json", rejected.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await rejected.Content.ReadAsStringAsync())!;
        Assert.Equal(429, problem["status"]!.GetValue<int>());
        var retryAfter = int.Parse(rejected.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 60);

        // The limit is per client: another user still gets in, and health probes are never throttled.
        using var other = _factory.CreateClient(["admin"]);
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync(new Uri("/api/v1/suppliers", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await greedy.GetAsync(new Uri("/health/live", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task An_oversized_body_is_413_problem_details_with_or_without_content_length_and_nothing_is_written()
    {
        using var client = _factory.CreateClient(["admin"]);
        var huge = new string('a', 1_100_000);
        var declared = await client.PutAsync(new Uri("/api/v1/suppliers/sup-huge", UriKind.Relative),
            new StringContent($"{{\"name\":\"{huge}\",\"country\":\"MY\",\"sector\":\"apparel\"}}", Encoding.UTF8, "application/json"));
        await AssertProblemAsync(declared, HttpStatusCode.RequestEntityTooLarge);

        // Chunked: no Content-Length to check up front; the body is cut off while it is read.
        var chunked = new StreamContent(new NonSeekableStream(Encoding.UTF8.GetBytes($"{{\"name\":\"{huge}\",\"country\":\"MY\",\"sector\":\"apparel\"}}")));
        chunked.Headers.ContentType = new("application/json");
        Assert.Null(chunked.Headers.ContentLength);
        var streamed = await client.PutAsync(new Uri("/api/v1/suppliers/sup-huge", UriKind.Relative), chunked);
        await AssertProblemAsync(streamed, HttpStatusCode.RequestEntityTooLarge);

        // Under the limit but chunked: read and answered as usual.
        var small = new StreamContent(new NonSeekableStream(Encoding.UTF8.GetBytes("{\"name\":\"Small\",\"country\":\"MY\",\"sector\":\"apparel\"}")));
        small.Headers.ContentType = new("application/json");
        Assert.Equal(HttpStatusCode.Created, (await client.PutAsync(new Uri("/api/v1/suppliers/sup-small", UriKind.Relative), small)).StatusCode);

        using var reader = _factory.CreateClient(["compliance"]);
        (await reader.GetJsonAsync("/api/v1/suppliers/sup-huge")).Expect(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("PUT", "/api/v1/suppliers/sup-anon")]
    [InlineData("POST", "/api/v1/signals:import")]
    public async Task An_anonymous_chunked_upload_gets_401_before_its_body_is_read(string method, string url)
    {
        // The body sends one chunk and then never ends: a service that read or buffered it before authenticating
        // would wait for the rest and never answer (the token below then cancels the call and the test fails).
        // The server's own client: the factory's default client buffers request bodies so it can follow redirects.
        using var anonymous = _factory.Server.CreateClient();
        await using var body = new EndlessStream();
        var content = new StreamContent(body);
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(url, UriKind.Relative)) { Content = content };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await anonymous.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        await AssertProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.False(body.Finished);
    }

    [Fact]
    public async Task Over_long_strings_and_deep_nesting_are_400_naming_the_field()
    {
        using var client = _factory.CreateClient(["admin"]);
        var longName = (await client.PutJsonAsync("/api/v1/suppliers/sup-long", $"{{\"name\":\"{new string('n', 20_001)}\",\"country\":\"MY\",\"sector\":\"apparel\"}}"))
            .Expect(HttpStatusCode.BadRequest);
        Assert.Equal("is longer than 20000 characters", longName["errors"]!["name"]![0]!.GetValue<string>());

        var deep = string.Concat(Enumerable.Repeat("[", 40)) + string.Concat(Enumerable.Repeat("]", 40));
        var nested = (await client.PutJsonAsync("/api/v1/suppliers/sup-deep", $"{{\"name\":\"x\",\"country\":\"MY\",\"sector\":\"apparel\",\"products\":{deep}}}"))
            .Expect(HttpStatusCode.BadRequest);
        Assert.Contains("nested too deeply", nested["errors"]!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cors_is_closed_by_default()
    {
        using var client = _factory.CreateClient(["compliance"]);
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/v1/suppliers");
        preflight.Headers.Add("Origin", "https://evil.example");
        preflight.Headers.Add("Access-Control-Request-Method", "GET");
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization");
        using var answer = await client.SendAsync(preflight);
        Assert.False(answer.Headers.Contains("Access-Control-Allow-Origin"));

        using var simple = new HttpRequestMessage(HttpMethod.Get, "/api/v1/suppliers");
        simple.Headers.Add("Origin", "https://evil.example");
        using var read = await client.SendAsync(simple);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.False(read.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Swagger_is_anonymous_has_an_authorize_scheme_and_its_html_carries_security_headers()
    {
        using var anonymous = _factory.CreateClient([]);
        using var html = await anonymous.GetAsync(new Uri("/swagger/index.html", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, html.StatusCode);
        Assert.Equal("text/html", html.Content.Headers.ContentType?.MediaType);
        Assert.Contains("frame-ancestors 'none'", html.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", html.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("nosniff", html.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", html.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("no-referrer", html.Headers.GetValues("Referrer-Policy").Single());

        var document = (await anonymous.GetJsonAsync("/swagger/v1/swagger.json")).Expect(HttpStatusCode.OK);
        var scheme = document["components"]!["securitySchemes"]!["bearer"]!;
        Assert.Equal("http", scheme["type"]!.GetValue<string>());
        Assert.Equal("bearer", scheme["scheme"]!.GetValue<string>());
        Assert.Contains(document["security"]!.AsArray(), requirement => requirement!.AsObject().ContainsKey("bearer"));
        Assert.NotNull(document["paths"]!["/api/v1/grievances/{grievanceId}"]!["get"]);

        using var api = await _factory.CreateClient(["compliance"]).GetAsync(new Uri("/api/v1/suppliers", UriKind.Relative));
        Assert.Equal("no-store", api.Headers.CacheControl?.ToString());
        Assert.Equal("nosniff", api.Headers.GetValues("X-Content-Type-Options").Single());
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal((int)expected, problem["status"]!.GetValue<int>());
    }

    /// <summary>A body that yields one chunk and then waits until it is disposed: it never reaches its end.</summary>
    private sealed class EndlessStream : Stream
    {
        private readonly TaskCompletionSource _disposed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _reads;

        public bool Finished => _disposed.Task.IsCompleted;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Increment(ref _reads) == 1)
            {
                buffer.Span[0] = (byte)'{';
                return 1;
            }

            await _disposed.Task.WaitAsync(cancellationToken);
            return 0;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            _disposed.TrySetResult();
            base.Dispose(disposing);
        }
    }

    /// <summary>A body of unknown length, so the client sends it without Content-Length.</summary>
    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}

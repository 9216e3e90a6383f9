using System.Text;
using NJsonSchema;
using NSwag;
using SupplyChainWatch.Api.Tests.Infrastructure;
using Xunit.Abstractions;

namespace SupplyChainWatch.Api.Tests;

/// <summary>
/// The OpenAPI document is what integrators generate their clients from, so every answer the service gives must be
/// one the document promises: this drives every operation of the served document with a valid request and its common
/// failures (no token, a wrong role, a malformed body, a body that is not JSON, an id that names nothing) and checks,
/// with NSwag's reader and NJsonSchema's validator (tools the project did not write), that each answer's status is
/// documented for the operation and its body matches the schema documented for that status and content type. A new
/// endpoint fails here until it is in the document and in <see cref="EndpointCatalog"/>, and then until it answers
/// only what it documents.
/// </summary>
public sealed class ContractTests(ITestOutputHelper output) : IDisposable
{
    private readonly ServiceFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    private sealed record Probe(string Case, string[] Roles, string Url, string? Body, string? ContentType, Func<int, bool> Expected, string ExpectedText);

    [Fact]
    public async Task Every_operation_answers_only_documented_statuses_with_bodies_matching_their_schemas()
    {
        var world = await SeededWorld.CreateAsync(_factory);
        var specs = EndpointCatalog.ForMappedEndpoints(_factory.Services);
        using var reader = _factory.CreateClient([]);
        var document = await OpenApiDocument.FromJsonAsync(await reader.GetStringAsync(new Uri("/swagger/v1/swagger.json", UriKind.Relative)));
        var operations = document.Operations.ToDictionary(o => $"{o.Method.ToUpperInvariant()} {o.Path}", StringComparer.Ordinal);

        // Swagger serves the document itself; /metrics is the Prometheus scrape (text exposition format, admin only, its
        // own contract), deliberately not an operation of the JSON API.
        var mapped = EndpointCatalog.MappedEndpoints(_factory.Services)
            .Where(k => !k.Contains("/swagger", StringComparison.Ordinal) && k != "GET /metrics").ToHashSet(StringComparer.Ordinal);
        var undocumented = mapped.Where(k => !operations.ContainsKey(k)).ToList();
        Assert.True(undocumented.Count == 0, "Endpoints the service maps but the OpenAPI document leaves out: " + string.Join(", ", undocumented));
        var unmapped = operations.Keys.Where(k => !mapped.Contains(k)).ToList();
        Assert.True(unmapped.Count == 0, "Operations in the OpenAPI document that the service does not map: " + string.Join(", ", unmapped));

        var failures = new List<string>();
        var exercised = new HashSet<string>(StringComparer.Ordinal);
        var requests = 0;
        foreach (var (key, description) in operations)
        {
            var spec = specs.SingleOrDefault(s => s.Key == key);
            if (spec is null)
            {
                failures.Add($"{key}: no EndpointCatalog entry, so it cannot be driven");
                continue;
            }

            foreach (var probe in Probes(spec, description, world))
            {
                using var client = _factory.CreateClient(probe.Roles);
                using var request = new HttpRequestMessage(new HttpMethod(spec.Method), probe.Url);
                if (probe.Body is not null)
                {
                    request.Content = new StringContent(probe.Body, Encoding.UTF8, probe.ContentType!);
                }

                // Headers first: a live stream's valid answer never ends, so only its status and content type are read
                // (then the request is cancelled by disposing it); every other answer is read whole.
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                requests++;
                var status = (int)response.StatusCode;
                var mediaType = response.Content.Headers.ContentType?.MediaType;
                var where = $"{key} ({probe.Case})";
                if (spec.Streaming && status == 200)
                {
                    failures.AddRange(CheckStream(where, description.Operation, mediaType));
                    continue;
                }

                var text = await response.Content.ReadAsStringAsync();
                if (!probe.Expected(status))
                {
                    failures.Add($"{where}: expected {probe.ExpectedText}, got {status} {Shorten(text)}");
                }

                failures.AddRange(Check(where, description.Operation, status, mediaType, text));
            }

            exercised.Add(key);
        }

        output.WriteLine($"{operations.Count} operations, {requests} requests");
        var unexercised = operations.Keys.Where(k => !exercised.Contains(k)).ToList();
        Assert.True(unexercised.Count == 0, "Operations in the document that the contract test did not exercise: " + string.Join(", ", unexercised));
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>The valid request and the common failures that apply to the operation, per its own document entry.</summary>
    private static IEnumerable<Probe> Probes(EndpointSpec spec, OpenApiOperationDescription description, WorldIds world)
    {
        var url = spec.Url(world);
        var hasBody = description.Operation.ActualRequestBody is not null;
        var body = spec.RawBody?.Invoke(world) ?? spec.Body?.Invoke(world).ToJsonString();
        var contentType = spec.ContentType;
        var allowed = spec.IsAnonymous ? [] : spec.OwnerScoped ? ["ngo"] : new[] { spec.Roles![0] };
        var routeParameters = description.Path.Split('/').Count(s => s.StartsWith('{'));

        if (!spec.IsAnonymous)
        {
            yield return new("no token", [], url, body, contentType, s => s == 401, "401");
            var wrong = SupplyChainWatch.Api.Hosting.Roles.All.FirstOrDefault(r => !spec.Allows([r]));
            if (wrong is not null)
            {
                yield return new($"role {wrong}", [wrong], url, body, contentType, s => s == 403, "403");
            }
        }

        if (hasBody)
        {
            // A bulk import reports an unparseable line in its 200 summary (the other lines still count); a JSON body is 400.
            var perLine = contentType == "application/x-ndjson";
            yield return new("malformed body", allowed, url, "{\"truncated\": ", contentType, s => perLine ? s == 200 : s == 400, perLine ? "200" : "400");
            yield return new("text/plain body", allowed, url, "hello", "text/plain", s => s == 415, "415");
        }

        if (routeParameters > 0)
        {
            // A PUT is an upsert: for an unknown id it creates (a link to an unregistered supplier registers it
            // bare), so only there is a 2xx the right answer.
            var upsert = spec.Method == "PUT";
            yield return new("unknown id", allowed, UnknownIds(description.Path, url), body, body is null ? null : contentType,
                s => upsert ? s is >= 200 and < 300 : s == 404, upsert ? "2xx" : "404");
        }

        // Last, so that the failures above meet the seeded world as it was (the valid DELETE removes its subscription).
        yield return new("valid request", allowed, url, body, body is null ? null : contentType, s => s is >= 200 and < 300, "2xx");
    }

    /// <summary>The request URL with every route parameter replaced by an id that names nothing (prefix kept).</summary>
    private static string UnknownIds(string template, string url)
    {
        var names = template.Split('/');
        var values = url.Split('?')[0].Split('/');
        for (var i = 0; i < names.Length && i < values.Length; i++)
        {
            if (names[i].StartsWith('{'))
            {
                var colon = values[i].IndexOf(':', StringComparison.Ordinal);
                values[i] = (colon >= 0 ? values[i][..(colon + 1)] : string.Empty) + "nothing-" + Guid.NewGuid().ToString("N")[..8];
            }
        }

        return string.Join('/', values);
    }

    /// <summary>(a) the status is documented for the operation, (b) the body matches the schema for that status and content type.</summary>
    private static IEnumerable<string> Check(string where, OpenApiOperation operation, int status, string? mediaType, string body)
    {
        var code = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!operation.ActualResponses.TryGetValue(code, out var response))
        {
            yield return $"{where}: answered {status}, which the document does not list for this operation ({string.Join(", ", operation.ActualResponses.Keys)}): {Shorten(body)}";
            yield break;
        }

        if (body.Length == 0)
        {
            yield break;
        }

        var content = response.ActualResponse.Content;
        if (mediaType is null || !content.TryGetValue(mediaType, out var media) || media.Schema is null)
        {
            yield return $"{where}: answered {status} with a {mediaType ?? "untyped"} body, but the document gives {status} no schema for it ({string.Join(", ", content.Keys)})";
            yield break;
        }

        var errors = media.Schema.ActualSchema.Validate(body, SchemaType.OpenApi3);
        foreach (var error in errors)
        {
            yield return $"{where}: {status} body does not match its documented schema: {error} in {Shorten(body)}";
        }
    }

    /// <summary>A stream's 200: documented, and with the content type the document gives it (its body is never complete).</summary>
    private static IEnumerable<string> CheckStream(string where, OpenApiOperation operation, string? mediaType)
    {
        if (!operation.ActualResponses.TryGetValue("200", out var response))
        {
            yield return $"{where}: answered 200, which the document does not list for this operation";
        }
        else if (mediaType != "text/event-stream" || !response.ActualResponse.Content.ContainsKey(mediaType))
        {
            yield return $"{where}: answered 200 as {mediaType ?? "untyped"}; the document gives it {string.Join(", ", response.ActualResponse.Content.Keys)} and a stream must be text/event-stream";
        }
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";
}

using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SupplyChainWatch.Api.Tests.Infrastructure;

/// <summary>Small helpers to talk JSON to the service and read answers as JSON trees.</summary>
public static class ApiCalls
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(this HttpClient client, HttpMethod method, string url, object? body = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, url);
        if (body is string raw)
        {
            request.Content = new StringContent(raw, Encoding.UTF8, contentType);
        }
        else if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: Json);
        }

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (response.Content.Headers.ContentType?.MediaType == "text/event-stream")
        {
            return (response.StatusCode, null); // A live stream never ends: its status is the answer.
        }

        var text = await response.Content.ReadAsStringAsync();
        // Bodies are JSON (answers, problem details) except a metrics scrape, which is the Prometheus text format.
        var json = response.Content.Headers.ContentType?.MediaType is not { } mediaType || mediaType.Contains("json", StringComparison.Ordinal);
        return (response.StatusCode, text.Length == 0 || !json ? null : JsonNode.Parse(text));
    }

    public static Task<(HttpStatusCode Status, JsonNode? Body)> PostJsonAsync(this HttpClient client, string url, object? body) => client.SendAsync(HttpMethod.Post, url, body);

    public static Task<(HttpStatusCode Status, JsonNode? Body)> PutJsonAsync(this HttpClient client, string url, object? body) => client.SendAsync(HttpMethod.Put, url, body);

    public static Task<(HttpStatusCode Status, JsonNode? Body)> GetJsonAsync(this HttpClient client, string url) => client.SendAsync(HttpMethod.Get, url);

    /// <summary>Asserts a status and returns the body, showing the body when the status differs.</summary>
    public static JsonNode Expect(this (HttpStatusCode Status, JsonNode? Body) answer, HttpStatusCode expected)
    {
        Assert.True(answer.Status == expected, $"Expected {(int)expected} but got {(int)answer.Status}: {answer.Body?.ToJsonString()}");
        return answer.Body ?? new JsonObject();
    }

    /// <summary>Polls until the condition holds (for one-way propagation), failing after the timeout.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(15);
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                // A wait that ran out is a failure of its own, not a value for the caller to assert on (or, worse, not).
                throw new TimeoutException($"The awaited condition did not hold within {limit.TotalSeconds:F0} s; last value read: {Describe(value)}");
            }

            await Task.Delay(50);
        }
    }

    private static string Describe<T>(T value)
    {
        var text = value switch
        {
            null => "null",
            System.Text.Json.Nodes.JsonNode node => node.ToJsonString(),
            _ => value.ToString() ?? "",
        };
        return text.Length > 2000 ? text[..2000] + "…" : text;
    }
}

/// <summary>Request bodies used across tests, in the API's JSON shape.</summary>
public static class Samples
{
    public static object Supplier(string country = "MY", string sector = "apparel") => new
    {
        name = "Sunrise Garments Factory 2",
        country,
        sector,
        workforce = 850,
        migrantWorkerShare = 0.4,
        agencyWorkerShare = 0.1,
        products = new[] { "garments" },
    };

    public static object Recruiter() => new
    {
        name = "Fast Jobs Manpower",
        licenceNumber = "NP-1234/075",
        country = "NP",
        corridors = new[] { new { origin = "NP", destination = "MY" } },
    };

    public static object Audit(string auditId, string supplierId, string? recruiterId = null, params object[] findings) => new
    {
        auditId,
        supplierId,
        recruiterId,
        standard = "smeta",
        auditType = "initial",
        startDate = "2026-10-05",
        endDate = "2026-10-07",
        auditFirm = "Example Assurance Ltd",
        findings,
    };

    public static object Finding(string findingId, string category, string severity, int workers, string evidenceStatus = "verified", string? dueDate = null, params string[] codes) => new
    {
        findingId,
        category,
        severity,
        indicators = codes.Select(c => new { code = c }).ToArray(),
        workersAffected = workers,
        evidenceStatus,
        dueDate,
    };

    public static object Grievance(string grievanceId, string? supplierId, string? recruiterId, string receivedAt, string? narrative = null, string? contact = null, params string[] codes) => new
    {
        grievanceId,
        supplierId,
        recruiterId,
        receivedAt,
        channel = "hotline",
        allegations = codes.Select(c => new { code = c }).ToArray(),
        categories = new[] { "forced-labour" },
        workersAffected = 12,
        imminentDanger = false,
        childInvolved = false,
        anonymity = "confidential",
        narrative,
        reporterContact = contact,
        consent = new { shareWithBrand = true, shareWithNgo = true, shareWithLawEnforcement = false },
    };

    public static object FeeReport(string reportId, string recruiterId, string? supplierId, string workerRef, decimal workerPaidMyr, bool loan, bool mayNotLeave = false) => new
    {
        reportId,
        recruiterId,
        supplierId,
        workerRef,
        originCountry = "NP",
        destinationCountry = "MY",
        recruitedOn = "2026-03-01",
        costs = new[] { new { type = "placement-fee", amount = workerPaidMyr, currency = "MYR", paidBy = "worker" } },
        monthlyWage = new { amount = 1000m, currency = "MYR" },
        fxRatesToUsd = new Dictionary<string, decimal> { ["MYR"] = 0.21m },
        financing = new { loan, repaidByWageDeduction = loan, mayNotLeaveUntilRepaid = mayNotLeave },
        reimbursement = new { status = "none" },
    };
}

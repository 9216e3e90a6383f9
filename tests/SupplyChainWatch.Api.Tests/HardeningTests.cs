using System.Buffers.Text;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SupplyChainWatch.Api.Tests.Infrastructure;

namespace SupplyChainWatch.Api.Tests;

/// <summary>
/// Issue 14, findings 8 and 10: bad cursors and instants, text that is not text, repeated or case-variant JSON names,
/// invisible formatting characters, JWT <c>crit</c> headers and clock skew, verify's scope, and the embedded silo's
/// listening addresses. Every bad input is a 400 (or 401/404) problem naming what was wrong, never a 5xx.
/// </summary>
public sealed class HardeningTests : IDisposable
{
    private readonly int _siloPort = FreePort.Next();
    private readonly int _gatewayPort = FreePort.Next();
    private readonly ServiceFactory _factory;

    public HardeningTests()
    {
        _factory = new ServiceFactory();
        _factory.Settings["Cluster:SiloPort"] = _siloPort.ToString(CultureInfo.InvariantCulture);
        _factory.Settings["Cluster:GatewayPort"] = _gatewayPort.ToString(CultureInfo.InvariantCulture);

        // As the Docker image sets it: in embedded mode the silo must stay on loopback all the same.
        _factory.Settings["Cluster:ListenOnAnyHostAddress"] = "true";
    }

    public void Dispose() => _factory.Dispose();

    private HttpClient Client() => _factory.CreateClient([.. SupplyChainWatch.Api.Hosting.Roles.All]);

    private static string B64(string text) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text));

    public static TheoryData<string, string> BadCursors => new()
    {
        { "/api/v1/suppliers", "not*base64" },
        { "/api/v1/suppliers", B64("x|y|z") },
        { "/api/v1/suppliers", B64("d|99999999999|sup:a") },
        { "/api/v1/suppliers?sort=score", B64("d|10|sup:a") }, // a cursor of the other sort order
        { "/api/v1/suppliers", Base64Url.EncodeToString([0xFF, 0xFE, 0x7C]) }, // not UTF-8
        { "/api/v1/recruiters", "%ED%A0%80" }, // a lone surrogate, URL-encoded
        { "/api/v1/escalations", B64("e|99999999999999999999") },
        { "/api/v1/escalations", B64("d|1|sup:a") },
        { "/api/v1/escalations", "%F0%28%8C%28" },
    };

    [Theory]
    [MemberData(nameof(BadCursors))]
    public async Task A_cursor_the_list_did_not_issue_is_400_naming_cursor(string path, string cursor)
    {
        using var client = Client();

        var problem = (await client.GetJsonAsync(path + (path.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "cursor=" + cursor)).Expect(HttpStatusCode.BadRequest);

        Assert.NotNull(problem["errors"]?["cursor"]);
    }

    [Fact]
    public async Task A_cursor_the_list_issued_still_pages()
    {
        using var client = Client();
        (await client.PutJsonAsync("/api/v1/suppliers/page-a", Samples.Supplier())).Expect(HttpStatusCode.Created);
        (await client.PutJsonAsync("/api/v1/suppliers/page-b", Samples.Supplier())).Expect(HttpStatusCode.Created);
        var first = await ApiCalls.EventuallyAsync(() => client.GetJsonAsync("/api/v1/suppliers?limit=1"), r => r.Body?["nextCursor"] is not null);

        var next = first.Expect(HttpStatusCode.OK)["nextCursor"]!.GetValue<string>();
        var second = (await client.GetJsonAsync("/api/v1/suppliers?limit=1&cursor=" + Uri.EscapeDataString(next))).Expect(HttpStatusCode.OK);

        Assert.Single(second["items"]!.AsArray());
        (await client.GetJsonAsync("/api/v1/suppliers?limit=1&sort=score&cursor=" + Uri.EscapeDataString(next))).Expect(HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("asOf", "0001-01-01")]
    [InlineData("asOf", "9999-12-31T23:59:59")]
    [InlineData("asOf", "2101-01-01T00:00:00Z")]
    [InlineData("asOf", "1989-12-31T23:59:59Z")]
    [InlineData("dated", "0001-01-01")]
    [InlineData("dated", "9999-12-31T23:59:59")]
    [InlineData("dated", "9999-12-31T23:59:59-14:00")]
    public async Task An_instant_outside_the_domain_is_400_naming_the_parameter_on_both_risk_endpoints(string parameter, string value)
    {
        using var client = Client();
        (await client.PutJsonAsync("/api/v1/suppliers/inst-sup", Samples.Supplier())).Expect(HttpStatusCode.Created);
        (await client.PutJsonAsync("/api/v1/recruiters/inst-rec", Samples.Recruiter())).Expect(HttpStatusCode.Created);

        foreach (var path in new[] { "/api/v1/suppliers/inst-sup/risk", "/api/v1/recruiters/inst-rec/risk" })
        {
            var problem = (await client.GetJsonAsync($"{path}?{parameter}={Uri.EscapeDataString(value)}")).Expect(HttpStatusCode.BadRequest);
            Assert.NotNull(problem["errors"]?[parameter]);
        }

        (await client.GetJsonAsync($"/api/v1/suppliers/inst-sup/risk?{parameter}=2100-12-31T00:00:00Z")).Expect(HttpStatusCode.OK);
    }

    private static async Task<(HttpStatusCode Status, JsonNode? Body)> PostBytesAsync(HttpClient client, string path, byte[] body, string mediaType = "application/json")
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        using var response = await client.PostAsync(new Uri(path, UriKind.Relative), content);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    private static byte[] WithInvalidUtf8(string json, string marker)
    {
        // Replaces the marker with bytes no UTF-8 decoder accepts.
        var bytes = Encoding.UTF8.GetBytes(json);
        var at = Encoding.UTF8.GetBytes(json[..json.IndexOf(marker, StringComparison.Ordinal)]).Length;
        var result = bytes.ToList();
        result.RemoveRange(at, Encoding.UTF8.GetByteCount(marker));
        result.InsertRange(at, [0xC3, 0x28, 0xFF]);
        return [.. result];
    }

    private const string Package = """{"referralId":"rfp_MARK","subjectId":"sup:verify-sup","items":[{"subjectSeq":1}],"chainHead":{"subjectSeq":1,"rowHash":"00"}}""";

    public static TheoryData<string, string> BadPackages => new()
    {
        { "lone surrogate", "referralId" },
        { "invalid utf-8", "referralId" },
        { "duplicate key", "body" },
        { "case variant", "ReferralId" },
        { "lone surrogate in a name", "body" },
    };

    [Theory]
    [MemberData(nameof(BadPackages))]
    public async Task Verify_answers_text_that_is_not_text_and_repeated_names_with_400_naming_the_field(string kind, string field)
    {
        using var client = Client();
        var body = kind switch
        {
            "lone surrogate" => Encoding.UTF8.GetBytes(Package.Replace("rfp_MARK", "\\ud800", StringComparison.Ordinal)),
            "invalid utf-8" => WithInvalidUtf8(Package, "MARK"),
            "duplicate key" => Encoding.UTF8.GetBytes(Package.Replace("{\"referralId\":\"rfp_MARK\",", "{\"referralId\":\"rfp_a\",\"referralId\":\"rfp_b\",", StringComparison.Ordinal)),
            "case variant" => Encoding.UTF8.GetBytes(Package.Replace("{\"referralId\":\"rfp_MARK\",", "{\"referralId\":\"rfp_a\",\"ReferralId\":\"rfp_b\",", StringComparison.Ordinal)),
            _ => Encoding.UTF8.GetBytes(Package.Replace("\"subjectId\"", "\"\\udc00\"", StringComparison.Ordinal)),
        };

        var problem = (await PostBytesAsync(client, "/api/v1/referrals/verify", body)).Expect(HttpStatusCode.BadRequest);

        Assert.True(problem["errors"]?[field] is not null, problem.ToJsonString());
    }

    [Fact]
    public async Task Verify_of_a_package_never_built_is_one_404_whether_its_subject_exists_or_not()
    {
        using var admin = Client();
        (await admin.PutJsonAsync("/api/v1/suppliers/verify-sup", Samples.Supplier())).Expect(HttpStatusCode.Created);
        using var officer = _factory.CreateClient(["case-officer"]);

        var existing = (await officer.PostJsonAsync("/api/v1/referrals/verify", Package.Replace("MARK", "probe", StringComparison.Ordinal))).Expect(HttpStatusCode.NotFound);
        var missing = (await officer.PostJsonAsync("/api/v1/referrals/verify",
            Package.Replace("MARK", "probe", StringComparison.Ordinal).Replace("sup:verify-sup", "sup:no-such-subject", StringComparison.Ordinal))).Expect(HttpStatusCode.NotFound);

        Assert.Equal(existing["detail"]!.GetValue<string>(), missing["detail"]!.GetValue<string>());
        Assert.DoesNotContain("sup:", existing.ToJsonString(), StringComparison.Ordinal);
    }

    private const string AuditLine = """{"kind":"audit","auditId":"IDMARK","supplierId":"imp-h","standard":"smeta","auditType":"initial","startDate":"2026-10-05","endDate":"2026-10-07","auditFirm":"F","findings":[{"findingId":"F1","category":"wages","severity":"minor","workersAffected":1}]}""";

    [Fact]
    public async Task Import_rejects_lines_with_ids_that_are_not_text_or_repeated_names_one_by_one()
    {
        using var client = Client();
        var lines = new List<byte[]>
        {
            Encoding.UTF8.GetBytes(AuditLine.Replace("IDMARK", "IMP-H-OK", StringComparison.Ordinal)),
            Encoding.UTF8.GetBytes(AuditLine.Replace("IDMARK", "\\ud800", StringComparison.Ordinal)),
            WithInvalidUtf8(AuditLine, "IDMARK"),
            Encoding.UTF8.GetBytes(AuditLine.Replace("\"auditId\":\"IDMARK\"", "\"auditId\":\"IMP-H-1\",\"auditId\":\"IMP-H-2\"", StringComparison.Ordinal)),
            Encoding.UTF8.GetBytes(AuditLine.Replace("\"auditId\":\"IDMARK\"", "\"auditId\":\"IMP-H-3\",\"AuditId\":\"IMP-H-4\"", StringComparison.Ordinal)),
            Encoding.UTF8.GetBytes(AuditLine.Replace("\"kind\":\"audit\"", "\"kind\":\"\\udfff\"", StringComparison.Ordinal)),
        };
        var body = lines.SelectMany(l => l.Append((byte)'\n')).ToArray();

        var summary = (await PostBytesAsync(client, "/api/v1/signals:import", body, "application/x-ndjson")).Expect(HttpStatusCode.OK);

        Assert.Equal(1, summary["accepted"]!.GetValue<int>());
        Assert.Equal(5, summary["rejected"]!.GetValue<int>());
        var errors = summary["results"]!.AsArray().ToDictionary(r => r!["line"]!.GetValue<int>(), r => r!["errors"]!.AsObject());
        Assert.True(errors[2].ContainsKey("auditId"), errors[2].ToJsonString());
        Assert.True(errors[3].ContainsKey("auditId"), errors[3].ToJsonString());
        Assert.True(errors[4].ContainsKey("auditId"), errors[4].ToJsonString());
        Assert.True(errors[5].ContainsKey("AuditId"), errors[5].ToJsonString());
        Assert.True(errors[6].ContainsKey("kind"), errors[6].ToJsonString());
    }

    public static TheoryData<string, string, string, string> RepeatedNames => new()
    {
        { "PUT", "/api/v1/suppliers/dup-sup", """{"name":"A","name":"B","country":"MY","sector":"apparel"}""", "name" },
        { "PUT", "/api/v1/suppliers/dup-sup", """{"name":"A","Name":"B","country":"MY","sector":"apparel"}""", "Name" },
        { "PUT", "/api/v1/suppliers/dup-sup", """{"Name":"A","country":"MY","sector":"apparel"}""", "Name" },
        { "POST", "/api/v1/grievances", """{"grievanceId":"G-dup","grievanceId":"G-dup-2","supplierId":"dup-sup","receivedAt":"2026-11-01T00:00:00Z","channel":"hotline","workersAffected":1,"anonymity":"anonymous","consent":{"shareWithBrand":true,"shareWithNgo":true,"shareWithLawEnforcement":false}}""", "grievanceId" },
        { "POST", "/api/v1/recruitment-fees", """{"reportId":"R-dup","recruiterId":"dup-rec","workerRef":"w","originCountry":"NP","destinationCountry":"MY","recruitedOn":"2026-03-01","costs":[],"monthlyWage":{"amount":1,"currency":"USD"},"fxRatesToUsd":{"EUR":1,"EUR":2},"financing":{"loan":false,"repaidByWageDeduction":false,"mayNotLeaveUntilRepaid":false}}""", "fxRatesToUsd.EUR" },
        { "PUT", "/api/v1/suppliers/dup-sup/recruiters/dup-rec", """{"workforceShare":0.1,"WorkforceShare":0.9}""", "WorkforceShare" },
    };

    [Theory]
    [MemberData(nameof(RepeatedNames))]
    public async Task A_repeated_or_case_variant_property_name_is_400_naming_it(string method, string path, string body, string field)
    {
        using var client = Client();

        var problem = (await client.SendAsync(new HttpMethod(method), path, body)).Expect(HttpStatusCode.BadRequest);

        Assert.True(problem["errors"]?[field] is not null, problem.ToJsonString());
        (await client.GetJsonAsync("/api/v1/suppliers/dup-sup")).Expect(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData('\u200B')]
    [InlineData('\u200C')]
    [InlineData('\u200D')]
    [InlineData('\u200E')]
    [InlineData('\u200F')]
    [InlineData('\u202A')]
    [InlineData('\u202E')]
    [InlineData('\u2066')]
    [InlineData('\u2069')]
    [InlineData('\uFEFF')]
    [InlineData('\u061C')]
    public async Task Bidirectional_and_zero_width_controls_are_refused_in_names_and_short_text(char control)
    {
        using var client = Client();
        var name = $"Sun{control}rise";

        var supplier = (await client.PutJsonAsync("/api/v1/suppliers/bidi-sup", new { name, country = "MY", sector = "apparel" })).Expect(HttpStatusCode.BadRequest);
        var recruiter = (await client.PutJsonAsync("/api/v1/recruiters/bidi-rec", new { name = "R", licenceNumber = name, country = "NP" })).Expect(HttpStatusCode.BadRequest);
        var audit = JsonNode.Parse(AuditLine.Replace("IDMARK", "A-bidi", StringComparison.Ordinal))!.AsObject();
        audit.Remove("kind");
        audit["auditFirm"] = name;
        var auditAnswer = (await client.PostJsonAsync("/api/v1/audits", audit.ToJsonString())).Expect(HttpStatusCode.BadRequest);

        Assert.NotNull(supplier["errors"]?["name"]);
        Assert.NotNull(recruiter["errors"]?["licenceNumber"]);
        Assert.NotNull(auditAnswer["errors"]?["auditFirm"]);
        (await client.GetJsonAsync("/api/v1/suppliers/bidi-sup")).Expect(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_narrative_in_a_right_to_left_script_keeps_its_marks()
    {
        using var client = Client();
        var grievance = Samples.Grievance("G-rtl", "rtl-sup", null, "2026-11-01T00:00:00Z", "\u0627\u0644\u0639\u0645\u0644\u200F 12 \u0633\u0627\u0639\u0629", "+60 12 345");

        (await client.PostJsonAsync("/api/v1/grievances", grievance)).Expect(HttpStatusCode.Created);
    }

    private static string Token(DateTime expires, IDictionary<string, object>? headers = null) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = TestTokens.Issuer,
        Audience = TestTokens.Audience,
        Claims = new Dictionary<string, object> { ["sub"] = "skew-user", ["role"] = "compliance" },
        NotBefore = expires.AddHours(-2),
        Expires = expires,
        IssuedAt = expires.AddHours(-2),
        AdditionalHeaderClaims = headers,
        SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Convert.FromBase64String(TestTokens.SigningKeyBase64)), SecurityAlgorithms.HmacSha256),
    });

    private async Task<(HttpStatusCode Status, JsonNode? Body)> ListWithAsync(ServiceFactory factory, string token)
    {
        using var client = factory.CreateClient([]);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await client.GetJsonAsync("/api/v1/suppliers");
    }

    [Fact]
    public async Task A_token_with_a_crit_header_is_401_with_the_reason()
    {
        var critical = Token(DateTime.UtcNow.AddHours(1), new Dictionary<string, object> { ["crit"] = new[] { "exp" } });

        var problem = (await ListWithAsync(_factory, critical)).Expect(HttpStatusCode.Unauthorized);

        Assert.Contains("crit", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        (await ListWithAsync(_factory, Token(DateTime.UtcNow.AddHours(1)))).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Clock_skew_is_30_seconds_by_default_and_configurable()
    {
        (await ListWithAsync(_factory, Token(DateTime.UtcNow.AddSeconds(-5)))).Expect(HttpStatusCode.OK);
        (await ListWithAsync(_factory, Token(DateTime.UtcNow.AddSeconds(-90)))).Expect(HttpStatusCode.Unauthorized);

        await using var lenient = new ServiceFactory { Settings = { ["Authentication:Schemes:Bearer:ClockSkew"] = "00:03:00" } };
        (await ListWithAsync(lenient, Token(DateTime.UtcNow.AddSeconds(-90)))).Expect(HttpStatusCode.OK);
        (await ListWithAsync(lenient, Token(DateTime.UtcNow.AddSeconds(-240)))).Expect(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task The_embedded_silo_and_gateway_listen_on_loopback_only()
    {
        using var client = Client();
        (await client.GetJsonAsync("/health/ready")).Expect(HttpStatusCode.OK);

        var listening = ListeningAddresses(_siloPort).Concat(ListeningAddresses(_gatewayPort)).ToList();

        Assert.NotEmpty(listening);
        Assert.All(listening, address => Assert.True(IPAddress.IsLoopback(address), $"listening on {address}"));
    }

    /// <summary>Local addresses of the sockets listening on a TCP port, from /proc/net/tcp and tcp6 (Linux).</summary>
    private static IEnumerable<IPAddress> ListeningAddresses(int port)
    {
        foreach (var file in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(file))
            {
                continue;
            }

            foreach (var line in File.ReadLines(file).Skip(1))
            {
                var columns = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var local = columns[1].Split(':');
                if (columns[3] != "0A" || int.Parse(local[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture) != port)
                {
                    continue;
                }

                // The kernel prints each 32-bit word of the address in host (little-endian) order.
                var bytes = Convert.FromHexString(local[0]);
                for (var word = 0; word < bytes.Length; word += 4)
                {
                    Array.Reverse(bytes, word, 4);
                }

                yield return new IPAddress(bytes);
            }
        }
    }
}

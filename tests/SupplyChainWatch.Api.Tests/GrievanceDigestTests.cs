using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SupplyChainWatch.Api.Tests.Infrastructure;
using SupplyChainWatch.Contracts;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Api.Tests;

/// <summary>
/// Issue 14, finding 2: no digest of a grievance's confidential text leaves the grievance-handler role. A package is the
/// channel that carries evidence content to other roles, so it is searched for every digest a guesser could compute
/// over a small space of phone numbers; the conflict check still tells another text from the same one.
/// </summary>
public sealed class GrievanceDigestTests : IDisposable
{
    private const string PhonePrefix = "+60 12-555 ";
    private const int PhoneSpace = 10_000;

    private readonly ServiceFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    private HttpClient Officer()
    {
        var client = _factory.CreateClient([]);
        client.DefaultRequestHeaders.Authorization = TestTokens.Bearer("officer-9", ["case-officer"]);
        return client;
    }

    private static JsonNode Grievance(string id, string supplier, string? narrative, string? contact)
    {
        var body = JsonSerializer.SerializeToNode(Samples.Grievance(id, supplier, null, "2026-11-18T09:00:00Z", narrative, contact, "debt-manipulation"), ApiCalls.Json)!;
        body["consent"] = new JsonObject { ["shareWithBrand"] = true, ["shareWithNgo"] = true, ["shareWithLawEnforcement"] = true };
        return body;
    }

    private static string Phone(int n) => PhonePrefix + n.ToString("D4", CultureInfo.InvariantCulture);

    /// <summary>Every digest of the contact a guesser would try: SHA-256 of the old form (narrative, NUL, contact) and of the contact alone, hex and base64.</summary>
    private static IEnumerable<string> Guesses(int n, string? narrative)
    {
        foreach (var text in new[] { $"{narrative}\u0000{Phone(n)}", Phone(n) })
        {
            var hash = SHA256.HashData(Encoding.UTF8.GetBytes(text));
            yield return Convert.ToHexStringLower(hash);
            yield return Convert.ToBase64String(hash);
        }
    }

    [Fact]
    public async Task A_package_read_by_a_case_officer_carries_no_digest_a_brute_force_over_phone_numbers_can_match_and_conflicts_are_still_caught()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var supplier = $"dig-{tag}";
        var secret = 4_711;
        using var client = _factory.CreateClient();
        (await client.PutJsonAsync($"/api/v1/suppliers/{supplier}", Samples.Supplier())).Expect(HttpStatusCode.Created);
        (await client.PostJsonAsync("/api/v1/grievances", Grievance($"{tag}-g", supplier, null, Phone(secret)).ToJsonString())).Expect(HttpStatusCode.Created);

        using var officer = Officer();
        var built = (await officer.PostJsonAsync($"/api/v1/cases/grievance:{tag}-g/referrals", new
        {
            subjectId = "sup:" + supplier,
            recipientType = "ngo",
            recipientName = "Tenaganita",
            reason = "Debt bondage reported.",
        })).Expect(HttpStatusCode.Created);
        var read = (await officer.GetJsonAsync($"/api/v1/referrals/{built["referralId"]!.GetValue<string>()}")).Expect(HttpStatusCode.OK);

        foreach (var package in new[] { built, read })
        {
            var text = package.ToJsonString();
            var item = package["items"]!.AsArray().Single(i => i!["kind"]!.GetValue<string>() == "grievance")!;
            Assert.False(item["redacted"]!.GetValue<bool>());
            Assert.Null(JsonNode.Parse(item["contentJson"]!.GetValue<string>())!["confidentialDigest"]);
            Assert.DoesNotContain(Phone(secret), text, StringComparison.Ordinal);
            Assert.DoesNotContain(Enumerable.Range(0, PhoneSpace), n => Guesses(n, null).Any(g => text.Contains(g, StringComparison.Ordinal)));
        }

        // The conflict check still works, by the vault's MAC: the same text is a repeat, another text (or none) a conflict.
        (await client.PostJsonAsync("/api/v1/grievances", Grievance($"{tag}-g", supplier, null, Phone(secret)).ToJsonString())).Expect(HttpStatusCode.Created);
        (await client.PostJsonAsync("/api/v1/grievances", Grievance($"{tag}-g", supplier, null, Phone(secret + 1)).ToJsonString())).Expect(HttpStatusCode.Conflict);
        (await client.PostJsonAsync("/api/v1/grievances", Grievance($"{tag}-g", supplier, "added later", Phone(secret)).ToJsonString())).Expect(HttpStatusCode.Conflict);
        (await client.PostJsonAsync("/api/v1/grievances", Grievance($"{tag}-g", supplier, null, null).ToJsonString())).Expect(HttpStatusCode.Conflict);
        (await client.PostJsonAsync("/api/v1/grievances", Grievance($"{tag}-n", supplier, null, null).ToJsonString())).Expect(HttpStatusCode.Created);
        (await client.PostJsonAsync("/api/v1/grievances", Grievance($"{tag}-n", supplier, null, Phone(secret)).ToJsonString())).Expect(HttpStatusCode.Conflict);
        var vault = await _factory.Service<IGrievanceVault>().ReadAsync($"{tag}-g", "digest-test");
        Assert.Equal(Phone(secret), vault!.ReporterContact);
    }

    [Fact]
    public async Task A_row_written_before_version_8_with_the_unsalted_digest_is_withheld_from_packages_and_its_resubmission_is_still_a_repeat()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var supplier = $"leg-{tag}";
        var grievanceId = $"{tag}-old";
        var secret = 1_234;
        using var client = _factory.CreateClient();
        (await client.PutJsonAsync($"/api/v1/suppliers/{supplier}", Samples.Supplier())).Expect(HttpStatusCode.Created);

        // What the service wrote before version 8: the grievance with an unsalted SHA-256 of (narrative, NUL, contact), and a
        // vault row without a MAC. The content is the one today's submission of the same body builds, digest set.
        (await client.PostJsonAsync("/api/v1/grievances", Grievance($"{tag}-model", supplier, null, null).ToJsonString())).Expect(HttpStatusCode.Created);
        var log = _factory.Service<IEvidenceLog>();
        var model = (await log.FindByKeyAsync(IdempotencyKeys.Grievance($"{tag}-model")))[0];
        var content = EvidenceJson.Deserialize<EvidenceContent.Grievance>(model.ContentJson);
        var legacy = content with
        {
            ConfidentialDigest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"\u0000{Phone(secret)}"))),
            Detail = content.Detail with { GrievanceId = grievanceId },
        };
        Assert.Equal(AppendOutcome.Appended, (await log.AppendAsync([new EvidenceAppend("sup:" + supplier, IdempotencyKeys.Grievance(grievanceId), EvidenceKinds.Grievance,
            EvidenceJson.Serialize(legacy), model.OccurredAt)])).Outcome);
        await WriteLegacyVaultRowAsync(grievanceId, Phone(secret));

        using var officer = Officer();
        var built = (await officer.PostJsonAsync($"/api/v1/cases/grievance:{grievanceId}/referrals", new
        {
            subjectId = "sup:" + supplier,
            recipientType = "ngo",
            recipientName = "Tenaganita",
            reason = "Debt bondage reported.",
        })).Expect(HttpStatusCode.Created);
        var item = built["items"]!.AsArray().Single(i => i!["kind"]!.GetValue<string>() == "grievance")!;
        Assert.True(item["redacted"]!.GetValue<bool>());
        Assert.Contains("digest", item["redactionReason"]!.GetValue<string>(), StringComparison.Ordinal);
        var text = built.ToJsonString();
        Assert.DoesNotContain(Enumerable.Range(0, PhoneSpace), n => Guesses(n, null).Any(g => text.Contains(g, StringComparison.Ordinal)));
        var verified = (await officer.PostJsonAsync("/api/v1/referrals/verify",
            (await officer.GetJsonAsync($"/api/v1/referrals/{built["referralId"]!.GetValue<string>()}")).Expect(HttpStatusCode.OK).ToJsonString())).Expect(HttpStatusCode.OK);
        Assert.True(verified["valid"]!.GetValue<bool>(), verified.ToJsonString());

        // A retry of that old grievance, same text, is still answered as a repeat; other text is still a conflict.
        (await client.PostJsonAsync("/api/v1/grievances", Grievance(grievanceId, supplier, null, Phone(secret)).ToJsonString())).Expect(HttpStatusCode.Created);
        (await client.PostJsonAsync("/api/v1/grievances", Grievance(grievanceId, supplier, null, Phone(secret + 1)).ToJsonString())).Expect(HttpStatusCode.Conflict);
        Assert.Single(await log.FindByKeyAsync(IdempotencyKeys.Grievance(grievanceId)));
    }

    private async Task WriteLegacyVaultRowAsync(string grievanceId, string contact)
    {
        var database = _factory.Service<StorageDatabase>();
        var protector = _factory.Service<IConfidentialTextProtector>();
        await database.WriteAsync(
            async (connection, transaction) =>
            {
                await using var insert = StorageDatabase.CreateCommand(connection, transaction,
                    "INSERT INTO grievance_confidential (grievance_id, narrative, reporter_contact, stored_at) VALUES (@id, NULL, @contact, @at)");
                StorageDatabase.AddParameter(insert, "@id", grievanceId);
                StorageDatabase.AddParameter(insert, "@contact", protector.Protect(contact));
                StorageDatabase.AddParameter(insert, "@at", database.TimestampParameter(DateTimeOffset.UtcNow));
                return await insert.ExecuteNonQueryAsync();
            },
            CancellationToken.None);
    }
}

using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using SupplyChainWatch.Api.Tests.Infrastructure;
using Xunit.Abstractions;

namespace SupplyChainWatch.Api.Tests;

/// <summary>
/// Referral packages: consent gating for law enforcement, safety overrides only for flagged cases, redaction of what was
/// not consented to, verification that finds any changed byte, and the access log of every build.
/// </summary>
public sealed class ReferralTests(ITestOutputHelper output) : IDisposable
{
    private readonly ServiceFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    private sealed record Scenario(string Supplier, string SubjectId);

    /// <summary>
    /// One supplier with three cases: ref:{tag}-shared (an audit finding, a grievance consenting to law enforcement and
    /// one that does not and does not consent to NGOs either), grievance:{tag}-danger (imminent danger, no consent to law
    /// enforcement) and grievance:{tag}-consented (consents to everything).
    /// </summary>
    private async Task<(Scenario Scenario, string Tag)> SeedAsync()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var supplier = $"ref-sup-{tag}";
        using var client = _factory.CreateClient();
        (await client.PutJsonAsync($"/api/v1/suppliers/{supplier}", Samples.Supplier())).Expect(HttpStatusCode.Created);
        var audit = JsonSerializer.SerializeToNode(Samples.Audit($"{tag}-aud", supplier, null,
            Samples.Finding("F-1", "documents", "major", 14, "verified", null, "document-retention")), ApiCalls.Json)!;
        audit["findings"]![0]!["caseRef"] = $"{tag}-shared";
        (await client.PostJsonAsync("/api/v1/audits", audit.ToJsonString())).Expect(HttpStatusCode.Created);
        await GrievanceAsync(client, $"{tag}-willing", supplier, $"{tag}-shared", lawEnforcement: true, ngo: true, imminentDanger: false, "debt-manipulation");
        await GrievanceAsync(client, $"{tag}-unwilling", supplier, $"{tag}-shared", lawEnforcement: false, ngo: false, imminentDanger: false, "restriction-of-movement");
        await GrievanceAsync(client, $"{tag}-danger", supplier, null, lawEnforcement: false, ngo: true, imminentDanger: true, "physical-sexual-violence");
        await GrievanceAsync(client, $"{tag}-consented", supplier, null, lawEnforcement: true, ngo: true, imminentDanger: false, "wage-withholding");
        (await client.PostJsonAsync($"/api/v1/grievances/{tag}-unwilling/status", new { status = "acknowledged", on = "2026-11-19" })).Expect(HttpStatusCode.OK);
        return (new Scenario(supplier, "sup:" + supplier), tag);
    }

    private static async Task GrievanceAsync(HttpClient client, string id, string supplier, string? caseRef, bool lawEnforcement, bool ngo, bool imminentDanger, string code)
    {
        var body = JsonSerializer.SerializeToNode(Samples.Grievance(id, supplier, null, "2026-11-18T09:00:00Z", "NARRATIVE-" + id, "CONTACT-" + id, code), ApiCalls.Json)!;
        body["caseRef"] = caseRef;
        body["imminentDanger"] = imminentDanger;
        body["consent"] = new JsonObject { ["shareWithBrand"] = true, ["shareWithNgo"] = ngo, ["shareWithLawEnforcement"] = lawEnforcement };
        (await client.PostJsonAsync("/api/v1/grievances", body.ToJsonString())).Expect(HttpStatusCode.Created);
    }

    private HttpClient Officer(string name = "officer-17")
    {
        var client = _factory.CreateClient([]);
        client.DefaultRequestHeaders.Authorization = TestTokens.Bearer(name, ["case-officer"]);
        return client;
    }

    private static object Request(Scenario s, string recipientType, string? overrideKind = null) => new
    {
        subjectId = s.SubjectId,
        recipientType,
        recipientName = "Anti-Trafficking Unit",
        reason = "Passports retained; debts workers cannot leave.",
        safetyOverride = overrideKind is null ? null : new { kind = overrideKind, justification = "Workers locked in at night." },
    };

    [Fact]
    public async Task Law_enforcement_is_refused_without_consent_built_with_it_and_with_an_override_only_for_a_flagged_case_and_every_build_is_logged()
    {
        var (s, tag) = await SeedAsync();
        using var officer = Officer();

        // ref:…-shared: one grievance lacks consent and the case carries no flag, so neither plain nor override builds pass.
        var refused = (await officer.PostJsonAsync($"/api/v1/cases/ref:{tag}-shared/referrals", Request(s, "law-enforcement"))).Expect(HttpStatusCode.Forbidden);
        Assert.Contains($"{tag}-unwilling", refused["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain($"{tag}-willing,", refused["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        var notFlagged = (await officer.PostJsonAsync($"/api/v1/cases/ref:{tag}-shared/referrals", Request(s, "law-enforcement", "imminent-danger"))).Expect(HttpStatusCode.Forbidden);
        Assert.Contains("imminentDanger", notFlagged["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        (await officer.PostJsonAsync($"/api/v1/cases/ref:{tag}-shared/referrals", Request(s, "labour-inspectorate"))).Expect(HttpStatusCode.Forbidden);

        // grievance:…-danger carries imminentDanger: refused without an override, refused with the wrong kind, built with the right one.
        (await officer.PostJsonAsync($"/api/v1/cases/grievance:{tag}-danger/referrals", Request(s, "law-enforcement"))).Expect(HttpStatusCode.Forbidden);
        (await officer.PostJsonAsync($"/api/v1/cases/grievance:{tag}-danger/referrals", Request(s, "law-enforcement", "child"))).Expect(HttpStatusCode.Forbidden);
        var overridden = (await officer.PostJsonAsync($"/api/v1/cases/grievance:{tag}-danger/referrals", Request(s, "law-enforcement", "imminent-danger"))).Expect(HttpStatusCode.Created);
        Assert.True(overridden["flags"]!["imminentDanger"]!.GetValue<bool>());
        Assert.Equal("imminent-danger", overridden["safetyOverride"]!["kind"]!.GetValue<string>());
        // The override lets the authority learn of the case; the worker's unconsented grievance stays redacted to its hashes.
        var dangerItem = Assert.Single(overridden["items"]!.AsArray())!;
        Assert.True(dangerItem["redacted"]!.GetValue<bool>());
        Assert.Null(dangerItem["contentJson"]);
        Assert.Equal(64, dangerItem["contentHash"]!.GetValue<string>().Length);
        Assert.False(Assert.Single(overridden["consent"]!.AsArray())!["shared"]!.GetValue<bool>());

        // grievance:…-consented consents to law enforcement: built without an override, nothing redacted.
        var consented = (await officer.PostJsonAsync($"/api/v1/cases/grievance:{tag}-consented/referrals", Request(s, "law-enforcement"))).Expect(HttpStatusCode.Created);
        var consentedItem = Assert.Single(consented["items"]!.AsArray())!;
        Assert.False(consentedItem["redacted"]!.GetValue<bool>());
        Assert.Contains("wage-withholding", consentedItem["contentJson"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Null(consented["safetyOverride"]);

        // The access log: each refusal and build, who, for whom, under which override; admin reads it.
        using var admin = _factory.CreateClient(["admin"]);
        var log = (await admin.GetJsonAsync($"/api/v1/referrals/access-log?subjectId={s.SubjectId}")).Expect(HttpStatusCode.OK)["items"]!.AsArray();
        output.WriteLine(string.Join("\n", log.Select(l => $"{l!["action"]} {l["caseId"]} {l["recipientType"]} {l["overrideKind"]} by {l["actor"]}: {l["detail"]}")));
        Assert.Equal(["refused", "refused", "refused", "refused", "refused", "build", "build"], log.Select(l => l!["action"]!.GetValue<string>()));
        Assert.All(log, l => Assert.Equal("officer-17 (scw-tests)", l!["actor"]!.GetValue<string>())); // token subject and issuer
        var overrideBuild = log.Single(l => l!["referralId"]?.GetValue<string>() == overridden["referralId"]!.GetValue<string>())!;
        Assert.Equal("imminent-danger", overrideBuild["overrideKind"]!.GetValue<string>());
        Assert.Contains("Workers locked in at night.", overrideBuild["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Null(log.Single(l => l!["referralId"]?.GetValue<string>() == consented["referralId"]!.GetValue<string>())!["overrideKind"]);

        // Reading a package is logged too.
        (await officer.GetJsonAsync($"/api/v1/referrals/{consented["referralId"]}")).Expect(HttpStatusCode.OK);
        var afterRead = (await admin.GetJsonAsync($"/api/v1/referrals/access-log?subjectId={s.SubjectId}&caseId=grievance:{tag}-consented")).Expect(HttpStatusCode.OK)["items"]!.AsArray();
        Assert.Equal(["build", "read"], afterRead.Select(l => l!["action"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_package_redacts_what_the_recipient_was_not_consented_and_carries_hashes_classification_and_chain_head()
    {
        var (s, tag) = await SeedAsync();
        using var officer = Officer();
        var package = (await officer.PostJsonAsync($"/api/v1/cases/ref:{tag}-shared/referrals", Request(s, "ngo"))).Expect(HttpStatusCode.Created);

        // The finding, both grievances and the unwilling grievance's status change: four rows of the case, in chain order.
        var items = package["items"]!.AsArray();
        Assert.Equal(["finding", "grievance", "grievance", "grievance-status"], items.Select(i => i!["kind"]!.GetValue<string>()));
        Assert.Equal(items.Select(i => i!["subjectSeq"]!.GetValue<long>()).Order(), items.Select(i => i!["subjectSeq"]!.GetValue<long>()));
        var unwilling = items.Where(i => i!["idempotencyKey"]!.GetValue<string>().Contains($"{tag}-unwilling", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, unwilling.Count); // the grievance and its status change
        Assert.All(unwilling, i => Assert.True(i!["redacted"]!.GetValue<bool>()));
        Assert.All(items.Except(unwilling), i =>
        {
            Assert.False(i!["redacted"]!.GetValue<bool>());
            Assert.Equal(Sha256(i["contentJson"]!.GetValue<string>()), i["contentHash"]!.GetValue<string>());
        });

        var consent = package["consent"]!.AsArray();
        Assert.Equal([true, false], consent.OrderBy(c => c!["grievanceId"]!.GetValue<string>(), StringComparer.Ordinal).Reverse().Select(c => c!["shared"]!.GetValue<bool>()));
        // The classification keeps the observations of what is shared and counts the ones left out.
        var classification = package["classification"]!;
        Assert.Equal($"ref:{tag}-shared", classification["caseId"]!.GetValue<string>());
        Assert.Equal(1, package["observationsRedacted"]!.GetValue<int>());
        Assert.DoesNotContain($"{tag}-unwilling", classification.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains($"{tag}-willing", classification.ToJsonString(), StringComparison.Ordinal);
        Assert.True(package["chainHead"]!["subjectSeq"]!.GetValue<long>() >= items.Max(i => i!["subjectSeq"]!.GetValue<long>()));

        // Narratives and contacts never travel in packages, consented or not.
        Assert.DoesNotContain("NARRATIVE-", package.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain("CONTACT-", package.ToJsonString(), StringComparison.Ordinal);

        // 404 for an unknown case or subject, 400 naming each bad field.
        (await officer.PostJsonAsync($"/api/v1/cases/ref:{tag}-nothing/referrals", Request(s, "ngo"))).Expect(HttpStatusCode.NotFound);
        (await officer.PostJsonAsync($"/api/v1/cases/ref:{tag}-shared/referrals", Request(new Scenario("x", "sup:nobody-" + tag), "ngo"))).Expect(HttpStatusCode.NotFound);
        var invalid = (await officer.PostJsonAsync($"/api/v1/cases/case-{tag}/referrals", new { subjectId = s.Supplier, recipientType = "police", recipientName = "", reason = "x", safetyOverride = new { kind = "urgent" } }))
            .Expect(HttpStatusCode.BadRequest)["errors"]!.AsObject();
        Assert.Equal(["caseId", "recipientName", "recipientType", "safetyOverride.justification", "safetyOverride.kind", "subjectId"], invalid.Select(e => e.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Verify_accepts_the_package_as_built_and_finds_a_single_changed_byte_in_any_evidence_item()
    {
        var (s, tag) = await SeedAsync();
        using var officer = Officer();
        var built = (await officer.PostJsonAsync($"/api/v1/cases/ref:{tag}-shared/referrals", Request(s, "ngo"))).Expect(HttpStatusCode.Created);
        var read = (await officer.GetJsonAsync($"/api/v1/referrals/{built["referralId"]}")).Expect(HttpStatusCode.OK);
        Assert.True(JsonNode.DeepEquals(built, read), "GET returns the package exactly as built");

        var ok = (await officer.PostJsonAsync("/api/v1/referrals/verify", read.ToJsonString())).Expect(HttpStatusCode.OK);
        Assert.True(ok["valid"]!.GetValue<bool>(), ok.ToJsonString());
        Assert.True(ok["chainValid"]!.GetValue<bool>());
        Assert.Equal(4, ok["itemsChecked"]!.GetValue<int>());

        // One changed byte in every field of every item that ties it to the log (content, hashes, key, kind, sequence).
        var items = read["items"]!.AsArray();
        var attempts = 0;
        for (var i = 0; i < items.Count; i++)
        {
            foreach (var field in new[] { "contentJson", "contentHash", "previousHash", "rowHash", "idempotencyKey", "kind" })
            {
                if (items[i]![field] is not JsonValue value)
                {
                    continue; // redacted items have no content
                }

                var original = value.GetValue<string>();
                foreach (var position in new[] { 0, original.Length / 2, original.Length - 1 })
                {
                    var tampered = read.DeepClone();
                    tampered["items"]![i]![field] = ChangeOneByte(original, position);
                    var answer = (await officer.PostJsonAsync("/api/v1/referrals/verify", tampered.ToJsonString())).Expect(HttpStatusCode.OK);
                    attempts++;
                    Assert.False(answer["valid"]!.GetValue<bool>(), $"items[{i}].{field} changed at {position} went unnoticed");
                    Assert.Contains(answer["problems"]!.AsArray(), p => p!["field"]!.GetValue<string>().StartsWith($"items[{i}]", StringComparison.Ordinal));
                }
            }

            var moved = read.DeepClone();
            moved["items"]![i]!["subjectSeq"] = items[i]!["subjectSeq"]!.GetValue<long>() + 1;
            Assert.False((await officer.PostJsonAsync("/api/v1/referrals/verify", moved.ToJsonString())).Expect(HttpStatusCode.OK)["valid"]!.GetValue<bool>());
        }

        // Outside the items: the chain head, the recipient, the consent flags.
        var head = read.DeepClone();
        head["chainHead"]!["rowHash"] = ChangeOneByte(read["chainHead"]!["rowHash"]!.GetValue<string>(), 5);
        Assert.False((await officer.PostJsonAsync("/api/v1/referrals/verify", head.ToJsonString())).Expect(HttpStatusCode.OK)["valid"]!.GetValue<bool>());
        var recipient = read.DeepClone();
        recipient["recipientName"] = ChangeOneByte(read["recipientName"]!.GetValue<string>(), 0);
        var recipientAnswer = (await officer.PostJsonAsync("/api/v1/referrals/verify", recipient.ToJsonString())).Expect(HttpStatusCode.OK);
        Assert.Equal("recipientName", Assert.Single(recipientAnswer["problems"]!.AsArray())!["field"]!.GetValue<string>());
        var unredacted = read.DeepClone();
        unredacted["consent"]![0]!["shareWithLawEnforcement"] = !read["consent"]![0]!["shareWithLawEnforcement"]!.GetValue<bool>();
        Assert.False((await officer.PostJsonAsync("/api/v1/referrals/verify", unredacted.ToJsonString())).Expect(HttpStatusCode.OK)["valid"]!.GetValue<bool>());
        output.WriteLine($"{attempts} single-byte alterations of evidence items, each detected");

        // A structurally broken package is a 400 naming the fields.
        var broken = (await officer.PostJsonAsync("/api/v1/referrals/verify", new { referralId = 5, items = "none" })).Expect(HttpStatusCode.BadRequest)["errors"]!.AsObject();
        Assert.Equal(["chainHead.subjectSeq", "items", "referralId", "subjectId"], broken.Select(e => e.Key).Order(StringComparer.Ordinal));
        (await officer.SendAsync(HttpMethod.Post, "/api/v1/referrals/verify", "{\"referralId\": ", "application/json")).Expect(HttpStatusCode.BadRequest);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await officer.SendAsync(HttpMethod.Post, "/api/v1/referrals/verify", read.ToJsonString(), "text/plain")).Status);
    }

    [Fact]
    public async Task Verify_compares_values_so_a_typed_client_round_trip_stays_valid_but_a_changed_instant_does_not()
    {
        var (s, tag) = await SeedAsync();
        using var officer = Officer();
        var built = (await officer.PostJsonAsync($"/api/v1/cases/ref:{tag}-shared/referrals", Request(s, "ngo"))).Expect(HttpStatusCode.Created);
        var read = (await officer.GetJsonAsync($"/api/v1/referrals/{built["referralId"]}")).Expect(HttpStatusCode.OK);

        // What a typed client does to the same values: UTC instants written with the other notation (Z or +00:00),
        // null members left out, whole numbers written with a decimal point.
        var rewritten = Rewrite(read.DeepClone(), out var instants, out var nulls);
        Assert.True(instants > 0 && nulls > 0, "the package has no instants or nulls to rewrite, so this test would prove nothing");
        var answer = (await officer.PostJsonAsync("/api/v1/referrals/verify", rewritten.ToJsonString())).Expect(HttpStatusCode.OK);
        Assert.True(answer["valid"]!.GetValue<bool>(), answer.ToJsonString());

        // A different instant (one second later) or a different offset for the same wall time is an alteration.
        foreach (var change in new Func<string, string>[] { t => DateTimeOffset.Parse(t, System.Globalization.CultureInfo.InvariantCulture).AddSeconds(1).ToString("O"), t => t.Replace("Z", "+01:00", StringComparison.Ordinal).Replace("+00:00", "+01:00", StringComparison.Ordinal) })
        {
            var altered = read.DeepClone();
            altered["builtAt"] = change(read["builtAt"]!.GetValue<string>());
            var refused = (await officer.PostJsonAsync("/api/v1/referrals/verify", altered.ToJsonString())).Expect(HttpStatusCode.OK);
            Assert.False(refused["valid"]!.GetValue<bool>(), altered["builtAt"]!.ToJsonString());
            Assert.Equal("builtAt", Assert.Single(refused["problems"]!.AsArray())!["field"]!.GetValue<string>());
        }

        // A member set to null where the package had a value is an alteration too.
        var emptied = read.DeepClone();
        emptied["recipientName"] = null;
        Assert.False((await officer.PostJsonAsync("/api/v1/referrals/verify", emptied.ToJsonString())).Expect(HttpStatusCode.OK)["valid"]!.GetValue<bool>());
    }

    private static JsonNode Rewrite(JsonNode node, out int instants, out int nulls)
    {
        var (i, n) = (0, 0);
        JsonNode? Walk(JsonNode? current)
        {
            switch (current)
            {
                case JsonObject o:
                    foreach (var name in o.Select(p => p.Key).ToList())
                    {
                        if (o[name] is null)
                        {
                            o.Remove(name);
                            n++;
                        }
                        else if (name != "subjectSeq") // an integer a typed client writes as an integer
                        {
                            o[name] = Walk(o[name]!.DeepClone());
                        }
                    }

                    return o;
                case JsonArray a:
                    return new JsonArray(a.Select(e => Walk(e?.DeepClone())).ToArray());
                case JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String && v.GetValue<string>() is var t && t.Length > 19 && t[10] == 'T' && (t.EndsWith('Z') || t.EndsWith("+00:00", StringComparison.Ordinal)):
                    i++;
                    return JsonValue.Create(t.EndsWith('Z') ? t[..^1] + "+00:00" : t[..^6] + "Z");
                case JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.Number && v.TryGetValue<long>(out var whole):
                    return JsonNode.Parse(whole.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".0");
                default:
                    return current;
            }
        }

        var result = Walk(node)!;
        (instants, nulls) = (i, n);
        return result;
    }

    private static string ChangeOneByte(string text, int position)
    {
        var chars = text.ToCharArray();
        chars[position] = chars[position] == 'a' ? 'b' : 'a';
        return new string(chars);
    }

    private static string Sha256(string text) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
}

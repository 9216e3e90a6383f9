using System.Net;
using System.Net.Http.Headers;
using SupplyChainWatch.Api.Tests.Infrastructure;

namespace SupplyChainWatch.Api.Tests;

/// <summary>
/// Issue 14, finding 4: a subscription belongs to the issuer and the subject together. Two identity providers trusted by
/// one service may both issue <c>sub = "ngo-1"</c>; those are two callers, and neither sees or touches the other's.
/// </summary>
public sealed class WebhookOwnerTests : IDisposable
{
    private const string SecondIssuer = "scw-tests-second-idp";

    private readonly ServiceFactory _factory = new()
    {
        Settings =
        {
            ["Authentication:Schemes:Bearer:ValidIssuers:0"] = SecondIssuer,
            ["Authentication:Schemes:Bearer:SigningKeys:1:Issuer"] = SecondIssuer,
            ["Authentication:Schemes:Bearer:SigningKeys:1:Value"] = TestTokens.SigningKeyBase64,
        },
    };

    public void Dispose() => _factory.Dispose();

    private HttpClient Client(string issuer)
    {
        var client = _factory.CreateClient([]);
        var token = TestTokens.Create("ngo-1", issuer, TestTokens.Audience, Convert.FromBase64String(TestTokens.SigningKeyBase64), DateTime.UtcNow.AddHours(1), "ngo");
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    [Fact]
    public async Task Two_issuers_callers_with_the_same_sub_cannot_see_rotate_or_delete_each_others_subscriptions()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var first = Client(TestTokens.Issuer);
        using var second = Client(SecondIssuer);
        var id = (await first.PostJsonAsync("/api/v1/webhooks/subscriptions", new { url = receiver.Url("/owner"), eventTypes = new[] { "case.escalated" } }))
            .Expect(HttpStatusCode.Created)["subscription"]!["id"]!.GetValue<string>();

        // The second issuer's token validates (its list answers 200) yet holds nothing of the first's.
        Assert.DoesNotContain(id, (await second.GetJsonAsync("/api/v1/webhooks/subscriptions")).Expect(HttpStatusCode.OK).ToJsonString(), StringComparison.Ordinal);
        (await second.GetJsonAsync($"/api/v1/webhooks/subscriptions/{id}")).Expect(HttpStatusCode.NotFound);
        (await second.GetJsonAsync($"/api/v1/webhooks/subscriptions/{id}/deliveries")).Expect(HttpStatusCode.NotFound);
        (await second.PostJsonAsync($"/api/v1/webhooks/subscriptions/{id}/rotate-secret", null)).Expect(HttpStatusCode.NotFound);
        (await second.PostJsonAsync($"/api/v1/webhooks/subscriptions/{id}/enable", null)).Expect(HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.NotFound, (await second.DeleteAsync(new Uri($"/api/v1/webhooks/subscriptions/{id}", UriKind.Relative))).StatusCode);

        // And the other way round: the second's own subscription is invisible to the first; the first's is untouched.
        var secondId = (await second.PostJsonAsync("/api/v1/webhooks/subscriptions", new { url = receiver.Url("/owner-2"), eventTypes = new[] { "case.escalated" } }))
            .Expect(HttpStatusCode.Created)["subscription"]!["id"]!.GetValue<string>();
        var firstList = (await first.GetJsonAsync("/api/v1/webhooks/subscriptions")).Expect(HttpStatusCode.OK).ToJsonString();
        Assert.Contains(id, firstList, StringComparison.Ordinal);
        Assert.DoesNotContain(secondId, firstList, StringComparison.Ordinal);
        Assert.Null((await first.GetJsonAsync($"/api/v1/webhooks/subscriptions/{id}")).Expect(HttpStatusCode.OK)["previousSecretValidUntil"]);
    }
}

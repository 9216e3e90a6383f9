using System.Net.Http;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace SupplyChainWatch.Grains.Webhooks;

/// <summary>Standard Webhooks secrets and signatures.</summary>
public static class WebhookSigning
{
    public const string SecretPrefix = "whsec_";

    /// <summary><c>whsec_</c> + base64 of 32 random bytes (the spec asks for 24 to 64).</summary>
    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>
    /// <c>v1,</c> + base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}")) for each secret, space-separated; the key is the
    /// base64-decoded part after <c>whsec_</c>.
    /// </summary>
    public static string Sign(string id, long timestamp, string body, IEnumerable<string> secrets)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        var content = Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}");
        return string.Join(' ', secrets.Select(secret => "v1," + Convert.ToBase64String(HMACSHA256.HashData(Key(secret), content))));
    }

    public static byte[] Key(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return Convert.FromBase64String(secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret);
    }
}

/// <summary>
/// Who owns a subscription: the caller's user id (NameIdentifier or <c>sub</c>), or "anonymous" while the API has no
/// authentication. Every subscription and delivery query filters by it, so an NGO only ever sees its own.
/// </summary>
public static class WebhookOwner
{
    public const string Anonymous = "anonymous";

    public static string Of(ClaimsPrincipal? user) =>
        user?.FindFirstValue(ClaimTypes.NameIdentifier) ?? user?.FindFirstValue("sub") ?? Anonymous;
}

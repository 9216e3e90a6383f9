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
/// Who owns a subscription: the issuer that vouches for the caller and the caller's user id (NameIdentifier or
/// <c>sub</c>) together, so two identity providers' users with the same <c>sub</c> are two owners. Both parts are
/// percent-encoded and joined by a space (which encoding never produces), so no two pairs share a key. Every
/// subscription and delivery query filters by it, so an NGO only ever sees its own.
/// </summary>
public static class WebhookOwner
{
    public static string Of(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var subject = user.FindFirst(ClaimTypes.NameIdentifier) ?? user.FindFirst("sub");
        if (subject is null || string.IsNullOrWhiteSpace(subject.Value))
        {
            // The authentication handler refuses sub-less tokens before any endpoint runs; reaching here is a bug.
            throw new InvalidOperationException("A webhook owner needs an authenticated caller with a subject.");
        }

        var issuer = user.FindFirstValue("iss") ?? subject.Issuer;
        return Key(issuer, subject.Value);
    }

    public static string Key(string issuer, string subject) => Uri.EscapeDataString(issuer) + " " + Uri.EscapeDataString(subject);
}

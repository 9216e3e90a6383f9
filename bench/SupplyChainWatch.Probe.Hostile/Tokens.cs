using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SupplyChainWatch.Probe.Hostile;

/// <summary>
/// Development tokens as <c>dotnet user-jwts</c> mints them (HS256, issuer dotnet-user-jwts, audience of the launch
/// profile), signed with the key user-jwts wrote into the project's user secrets; hand-made variants (no sub, a crit
/// header, an expiry in the past) use the same key.
/// </summary>
public sealed class Tokens(byte[] key, string issuer, string audience)
{
    public static Tokens FromUserSecrets(string secretsPath, string issuer, string audience)
    {
        var secrets = JsonNode.Parse(File.ReadAllText(secretsPath))!;
        var value = secrets["Authentication:Schemes:Bearer:SigningKeys"]![0]!["Value"]!.GetValue<string>();
        return new Tokens(Convert.FromBase64String(value), issuer, audience);
    }

    public string Create(string? subject, string[] roles, TimeSpan? expiresIn = null, JsonObject? extraHeader = null)
    {
        var now = DateTimeOffset.UtcNow;
        var exp = now + (expiresIn ?? TimeSpan.FromHours(1));
        var header = new JsonObject { ["alg"] = "HS256", ["typ"] = "JWT" };
        foreach (var (name, node) in extraHeader ?? [])
        {
            header[name] = node?.DeepClone();
        }

        var payload = new JsonObject();
        if (subject is not null)
        {
            payload["unique_name"] = subject;
            payload["sub"] = subject;
        }

        payload["jti"] = Guid.NewGuid().ToString("N")[..8];
        payload["role"] = new JsonArray([.. roles.Select(r => (JsonNode)r)]);
        payload["aud"] = audience;
        payload["nbf"] = Math.Min(now.ToUnixTimeSeconds(), exp.ToUnixTimeSeconds() - 60);
        payload["exp"] = exp.ToUnixTimeSeconds();
        payload["iat"] = Math.Min(now.ToUnixTimeSeconds(), exp.ToUnixTimeSeconds() - 60);
        payload["iss"] = issuer;
        var signed = Base64Url(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." + Base64Url(Encoding.UTF8.GetBytes(payload.ToJsonString()));
        return signed + "." + Base64Url(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(signed)));
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The subject of a token minted elsewhere (user-jwts), for the report.</summary>
    public static string? SubjectOf(string token)
    {
        var part = token.Split('.')[1].Replace('-', '+').Replace('_', '/');
        part = part.PadRight(part.Length + ((4 - (part.Length % 4)) % 4), '=');
        return JsonSerializer.Deserialize<JsonObject>(Convert.FromBase64String(part))?["sub"]?.GetValue<string>();
    }
}

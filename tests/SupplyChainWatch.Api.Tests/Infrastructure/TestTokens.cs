using System.Net.Http.Headers;
using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace SupplyChainWatch.Api.Tests.Infrastructure;

/// <summary>
/// Tokens for tests, signed with a test key that the service is configured to trust the way `dotnet user-jwts`
/// configures it in development: <c>Authentication:Schemes:Bearer</c> with ValidIssuer, ValidAudiences and SigningKeys.
/// </summary>
public static class TestTokens
{
    public const string Issuer = "scw-tests";
    public const string Audience = "scw-api";

    /// <summary>What the service's existing tests do: register subjects and submit every kind of signal, and read risk.</summary>
    public static readonly string[] DefaultRoles = ["admin", "compliance", "auditor", "grievance-handler", "recruitment-monitor"];

    // 256-bit HMAC key, fixed so a service started in another process trusts the same tokens.
    private static readonly byte[] SigningKey = Convert.FromHexString("6d1f0c7e2a9b4d83f5e6a7b8c9d0e1f2031425364758697a8b9cadbecfd0e1f2");

    public static string SigningKeyBase64 => Convert.ToBase64String(SigningKey);

    /// <summary>Configuration keys and values (":" separated) that make the service trust these tokens.</summary>
    public static IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Authentication:Schemes:Bearer:ValidIssuer"] = Issuer,
        ["Authentication:Schemes:Bearer:ValidAudiences:0"] = Audience,
        ["Authentication:Schemes:Bearer:SigningKeys:0:Issuer"] = Issuer,
        ["Authentication:Schemes:Bearer:SigningKeys:0:Value"] = SigningKeyBase64,
    };

    public static string Create(string subject, params string[] roles) => Create(subject, Issuer, Audience, SigningKey, DateTime.UtcNow.AddHours(1), roles);

    /// <summary>A signed token; a null <paramref name="subject"/> leaves out <c>sub</c> (the name claim stays).</summary>
    public static string Create(string? subject, string issuer, string audience, byte[] key, DateTime expires, params string[] roles)
    {
        var claims = new List<Claim> { new("unique_name", subject ?? "no-subject") };
        if (subject is not null)
        {
            claims.Add(new("sub", subject));
        }

        claims.AddRange(roles.Select(role => new Claim("role", role)));
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Subject = new ClaimsIdentity(claims),
            NotBefore = expires.AddHours(-2),
            Expires = expires,
            IssuedAt = expires.AddHours(-2),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key), SecurityAlgorithms.HmacSha256),
        });
    }

    public static AuthenticationHeaderValue Bearer(params string[] roles) => Bearer(SubjectOf(roles), roles);

    /// <summary>The token subject <see cref="Bearer(string[])"/> gives a caller with these roles.</summary>
    public static string SubjectOf(string[] roles) => $"user-{string.Join('+', roles)}";

    public static AuthenticationHeaderValue Bearer(string subject, string[] roles) => new("Bearer", Create(subject, roles));
}

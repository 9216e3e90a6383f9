using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Api.Hosting;

/// <summary>Rate limits per client: a fixed window of <see cref="PermitLimit"/> requests per <see cref="Window"/>.</summary>
public sealed class RateLimitSettings
{
    public const string Section = "RateLimiting";

    public int PermitLimit { get; set; } = 600;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Authentication (JWT bearer), authorization (deny by default), per-client rate limits, closed CORS, the Data
/// Protection key ring in the service's database, and the middleware order that makes them hold together.
/// </summary>
public static class SecuritySetup
{
    public const string CorsOriginsKey = "Cors:AllowedOrigins";

    /// <summary>How far a token's lifetime may be off this service's clock (the handler's default is 5 minutes).</summary>
    public const string ClockSkewKey = "Authentication:Schemes:Bearer:ClockSkew";

    public static readonly TimeSpan DefaultClockSkew = TimeSpan.FromSeconds(30);

    public static WebApplicationBuilder AddSupplyChainWatchSecurity(this WebApplicationBuilder builder)
    {
        var services = builder.Services;

        // Issuer, audiences, authority and (for development) signing keys come from Authentication:Schemes:Bearer, the
        // section `dotnet user-jwts` writes and any OpenID Connect provider's settings go into. Nothing configured means
        // no token validates: the service fails closed.
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        var configuration = builder.Configuration;
        services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, options =>
        {
            options.TokenValidationParameters.ClockSkew = configuration.GetValue(ClockSkewKey, DefaultClockSkew);

            // Roles arrive as "role" (user-jwts) or "roles" (most providers); both map to ClaimTypes.Role on the way in.
            options.TokenValidationParameters.RoleClaimType = ClaimTypes.Role;
            options.TokenValidationParameters.NameClaimType = ClaimTypes.NameIdentifier;

            // Every caller is someone: without a subject, all sub-less tokens of an issuer would share one identity
            // (one webhook owner, one name in the grievance access log).
            var validated = options.Events.OnTokenValidated;
            options.Events.OnTokenValidated = async context =>
            {
                await validated(context);
                if (context.Principal is { } principal && !HasSubject(principal))
                {
                    context.Fail(new MissingSubjectException());
                }
                else if (context.SecurityToken is Microsoft.IdentityModel.JsonWebTokens.JsonWebToken token && token.TryGetHeaderValue<object>("crit", out _))
                {
                    // RFC 7515 4.1.11: a recipient must refuse a token whose "crit" names extensions it does not
                    // understand; this service understands none, so any "crit" is refused.
                    context.Fail(new UnsupportedCriticalHeaderException());
                }
            };
        });
        services.AddSingleton<IPostConfigureOptions<JwtBearerOptions>>(sp => new ConfiguredSigningKeys(
            sp.GetRequiredService<IConfiguration>(), sp.GetRequiredService<IHostEnvironment>(), TimeProvider.System));

        services.AddSingleton<IAuthorizationMiddlewareResultHandler, AuthorizationProblems>();
        services.AddAuthorizationBuilder()
            // An endpoint that names no roles still needs a valid token; anonymous access is opted into explicitly.
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());

        var rateLimits = builder.Configuration.GetSection(RateLimitSettings.Section).Get<RateLimitSettings>() ?? new RateLimitSettings();
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                RateLimitPartition.GetFixedWindowLimiter(ClientKey(context), _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = rateLimits.PermitLimit,
                    Window = rateLimits.Window,
                    QueueLimit = 0,
                }));
            options.OnRejected = async (rejected, cancellationToken) =>
            {
                var http = rejected.HttpContext;
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : rateLimits.Window;
                http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = http,
                    ProblemDetails = new Microsoft.AspNetCore.Mvc.ProblemDetails
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = "Too many requests.",
                        Detail = "This client has used up its requests for the current window; retry after the number of seconds in Retry-After.",
                    },
                });
            };
        });

        // Closed unless origins are configured: without an allowed origin no CORS header is ever sent.
        var origins = builder.Configuration.GetSection(CorsOriginsKey).Get<string[]>() ?? [];
        services.AddCors(options => options.AddDefaultPolicy(policy =>
        {
            if (origins.Length > 0)
            {
                policy.WithOrigins(origins).WithMethods("GET", "POST", "PUT").WithHeaders("Authorization", "Content-Type");
            }
        }));

        services.AddDataProtection().SetApplicationName("SupplyChainWatch");
        services.AddSingleton(sp => new SqlDataProtectionKeyStore(sp.GetRequiredService<StorageDatabase>(), TimeProvider.System));
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp => new ConfigureOptions<KeyManagementOptions>(
            options => options.XmlRepository = new DatabaseXmlRepository(sp.GetRequiredService<SqlDataProtectionKeyStore>())));
        services.AddSingleton<IConfidentialTextProtector>(sp =>
            new DataProtectionTextProtector(sp.GetRequiredService<IDataProtectionProvider>(), DataProtectionTextProtector.GrievanceVaultPurpose));
        services.AddKeyedSingleton<IConfidentialTextProtector>(SqlWebhookStore.SecretProtectorKey, (sp, _) =>
            new DataProtectionTextProtector(sp.GetRequiredService<IDataProtectionProvider>(), DataProtectionTextProtector.WebhookSecretsPurpose));
        services.AddKeyedSingleton<IConfidentialTextProtector>(ConfidentialTextMac.KeyProtectorKey, (sp, _) =>
            new DataProtectionTextProtector(sp.GetRequiredService<IDataProtectionProvider>(), DataProtectionTextProtector.ConfidentialMacKeysPurpose));
        return builder;
    }

    /// <summary>
    /// Order: security headers on every answer; CORS before authentication (preflights carry no token); rate limits
    /// after authentication (they partition by user) and before authorization; body limits last, so no body is read or
    /// buffered for a caller that is anonymous, throttled or not admitted (none of these steps touches the body).
    /// </summary>
    public static WebApplication UseSupplyChainWatchSecurity(this WebApplication app)
    {
        app.UseCors();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        app.UseMiddleware<RequestBodyLimitMiddleware>();
        return app;
    }

    /// <summary>Whether the token names its subject (<c>sub</c>, mapped to <see cref="ClaimTypes.NameIdentifier"/> on the way in).</summary>
    public static bool HasSubject(ClaimsPrincipal user) =>
        !string.IsNullOrWhiteSpace(user.FindFirstValue(ClaimTypes.NameIdentifier) ?? user.FindFirstValue("sub"));

    /// <summary>An authenticated caller is limited per user, anyone else per remote address.</summary>
    public static string ClientKey(HttpContext context) =>
        context.User.Identity?.IsAuthenticated == true && context.User.FindFirstValue(ClaimTypes.NameIdentifier) is { Length: > 0 } user
            ? "user:" + user
            : "ip:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown");

    /// <summary>Who the caller is, for the grievance access log: the token's subject and the issuer that vouches for it.</summary>
    public static string Caller(ClaimsPrincipal user)
    {
        var subject = user.FindFirstValue(ClaimTypes.NameIdentifier) ?? user.FindFirstValue(ClaimTypes.Name) ?? "unknown";
        var issuer = user.FindFirst(ClaimTypes.NameIdentifier)?.Issuer;
        return issuer is null or ClaimsIdentity.DefaultIssuer ? subject : $"{subject} ({issuer})";
    }
}

/// <summary>A token with a <c>crit</c> header (extensions this service does not understand); answered 401 with its own reason.</summary>
public sealed class UnsupportedCriticalHeaderException : Microsoft.IdentityModel.Tokens.SecurityTokenValidationException
{
    public UnsupportedCriticalHeaderException()
        : base("The token has a crit header.")
    {
    }

    public UnsupportedCriticalHeaderException(string message)
        : base(message)
    {
    }

    public UnsupportedCriticalHeaderException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A token that validated but names no subject (<c>sub</c>); answered 401 with its own reason.</summary>
public sealed class MissingSubjectException : Microsoft.IdentityModel.Tokens.SecurityTokenValidationException
{
    public MissingSubjectException()
        : base("The token has no subject claim.")
    {
    }

    public MissingSubjectException(string message)
        : base(message)
    {
    }

    public MissingSubjectException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

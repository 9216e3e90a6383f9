using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using MudBlazor.Services;
using SupplyChainWatch.Api.Hosting;

namespace SupplyChainWatch.Api.Dashboard;

/// <summary>Settings of the browser dashboard (section <c>Dashboard</c>).</summary>
public sealed class DashboardSettings
{
    public const string Section = "Dashboard";

    /// <summary>
    /// The development sign-in page, which lets anyone pick their roles. Default: on in the Development environment
    /// only; it cannot be turned on in Production.
    /// </summary>
    public bool? DevelopmentSignIn { get; set; }

    /// <summary>The identity provider the dashboard signs users in with outside development (<c>Dashboard:OpenIdConnect</c>).</summary>
    public DashboardOpenIdConnectSettings OpenIdConnect { get; set; } = new();
}

/// <summary>OpenID Connect client settings; <see cref="Authority"/> and <see cref="ClientId"/> switch it on.</summary>
public sealed class DashboardOpenIdConnectSettings
{
    public string? Authority { get; set; }

    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    /// <summary>Scopes beyond <c>openid profile</c> (e.g. one that makes the provider put roles into the id token).</summary>
    public IReadOnlyList<string> Scopes { get; set; } = [];

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Authority) && !string.IsNullOrWhiteSpace(ClientId);
}

/// <summary>
/// The compliance dashboard: Blazor (interactive server rendering) with MudBlazor, in this host. Its pages sign users
/// in with a cookie of their own (the JSON API keeps the bearer scheme: a cookie never authenticates an API call), issued
/// by the development sign-in page or after an OpenID Connect sign-in. Pages read through the same mediator messages as
/// the REST endpoints and admit the same roles (<see cref="DashboardRoles"/>).
/// </summary>
public static class DashboardSetup
{
    public const string CookieScheme = "Dashboard";
    public const string OpenIdConnectScheme = "DashboardOidc";
    public const string Policy = "Dashboard";
    public const string SignInPath = "/dashboard/sign-in";
    public const string SignOutPath = "/dashboard/sign-out";
    public const string DevelopmentSignInPath = "/dashboard/sign-in/development";
    public const string OpenIdConnectSignInPath = "/dashboard/sign-in/oidc";
    public const string DeniedPath = "/dashboard/denied";

    /// <summary>
    /// Paths the dashboard serves (its pages, the sign-in endpoints, the Blazor circuit and the framework and component
    /// assets): not operations of the JSON API.
    /// </summary>
    public static readonly string[] PathPrefixes = ["/dashboard", "/_blazor", "/_framework", "/_content"];

    /// <summary>Whether a route pattern is the dashboard's (one of <see cref="PathPrefixes"/>, or the root's redirect to it).</summary>
    public static bool IsDashboardRoute(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var path = "/" + pattern.Trim('/');
        // "/{**path:file}" is the fallback MapStaticAssets adds when it serves from the build output (files changed after
        // the build); it admits no one anonymously (the fallback policy applies) and serves only static files.
        return path is "/" or "/{**path:file}" || PathPrefixes.Any(p => path == p || path.StartsWith(p + "/", StringComparison.Ordinal));
    }

    public static WebApplicationBuilder AddSupplyChainWatchDashboard(this WebApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection(DashboardSettings.Section).Get<DashboardSettings>() ?? new DashboardSettings();
        var developmentSignIn = settings.DevelopmentSignIn ?? builder.Environment.IsDevelopment();
        if (developmentSignIn && builder.Environment.IsProduction())
        {
            throw new InvalidOperationException("Dashboard:DevelopmentSignIn lets anyone choose their roles and cannot be enabled in Production.");
        }

        var useOidc = !developmentSignIn && settings.OpenIdConnect.IsConfigured;
        builder.Services.AddSingleton(new DashboardSignInMode(developmentSignIn, useOidc));

        // Packages' static web assets (MudBlazor's CSS and JS) from the build output in every environment, not only
        // Development; a published app serves them from wwwroot and this is a no-op.
        builder.WebHost.UseStaticWebAssets();
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddMudServices();
        builder.Services.AddAntiforgery();

        var authentication = builder.Services.AddAuthentication();
        authentication.AddCookie(CookieScheme, options =>
        {
            options.Cookie.Name = "scw.dashboard";
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Lax;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.ExpireTimeSpan = TimeSpan.FromHours(8);
            options.SlidingExpiration = true;
            options.LoginPath = SignInPath;
            options.AccessDeniedPath = DeniedPath;
            if (useOidc)
            {
                options.ForwardChallenge = OpenIdConnectScheme;
            }
        });
        if (useOidc)
        {
            authentication.AddOpenIdConnect(OpenIdConnectScheme, options =>
            {
                var oidc = settings.OpenIdConnect;
                options.SignInScheme = CookieScheme;
                options.Authority = oidc.Authority;
                options.ClientId = oidc.ClientId;
                options.ClientSecret = oidc.ClientSecret;
                options.ResponseType = "code";
                options.UsePkce = true;
                options.CallbackPath = "/dashboard/signin-oidc";
                options.SignedOutCallbackPath = "/dashboard/signout-callback-oidc";
                options.MapInboundClaims = false;
                options.SaveTokens = false;
                foreach (var scope in oidc.Scopes)
                {
                    options.Scope.Add(scope);
                }

                options.Events.OnTokenValidated = context =>
                {
                    // The same claims the bearer scheme reads: roles from "role" or "roles", a non-empty subject.
                    if (context.Principal?.Identity is ClaimsIdentity identity)
                    {
                        context.Principal = DashboardIdentity.FromProvider(identity);
                    }

                    if (context.Principal is not { } principal || !SecuritySetup.HasSubject(principal))
                    {
                        context.Fail("The identity provider's token names no subject.");
                    }

                    return Task.CompletedTask;
                };
            });
        }

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Policy, policy => policy.AddAuthenticationSchemes(CookieScheme).RequireAuthenticatedUser());
        return builder;
    }

    /// <summary>Maps the pages, the Blazor circuit, their static assets and the sign-in endpoints.</summary>
    public static WebApplication MapSupplyChainWatchDashboard(this WebApplication app)
    {
        // Public library files (Blazor's and MudBlazor's scripts and styles): nothing confidential, needed by the sign-in page.
        app.MapStaticAssets().AllowAnonymous();
        app.MapRazorComponents<App>()
            .AddInteractiveServerRenderMode()
            .RequireAuthorization(Policy);
        app.MapGet("/", () => TypedResults.Redirect("/dashboard")).AllowAnonymous().ExcludeFromDescription();

        var mode = app.Services.GetRequiredService<DashboardSignInMode>();
        if (mode.Development)
        {
            // The form posts here with its antiforgery token (validated for every [FromForm] endpoint by UseAntiforgery).
            app.MapPost(DevelopmentSignInPath, DevelopmentSignInAsync).AllowAnonymous().ExcludeFromDescription();
        }
        else if (mode.OpenIdConnect)
        {
            app.MapGet(OpenIdConnectSignInPath, (string? returnUrl) =>
                TypedResults.Challenge(new AuthenticationProperties { RedirectUri = LocalReturnUrl(returnUrl) }, [OpenIdConnectScheme]))
                .AllowAnonymous().ExcludeFromDescription();
        }

        app.MapPost(SignOutPath, async (HttpContext context) =>
        {
            await context.SignOutAsync(CookieScheme);
            return TypedResults.Redirect(SignInPath);
        }).RequireAuthorization(Policy).ExcludeFromDescription();
        return app;
    }

    private static async Task<Results<RedirectHttpResult, ValidationProblem>> DevelopmentSignInAsync(
        [FromForm] DevelopmentSignInForm? form, HttpContext context)
    {
        // A form without any of the fields binds to no object at all.
        var name = string.IsNullOrWhiteSpace(form?.Name) ? "dashboard-user" : form.Name.Trim();
        var roles = form?.Roles?.Where(r => !string.IsNullOrWhiteSpace(r)).ToArray() ?? [];
        var unknown = roles.Where(r => !Roles.All.Contains(r, StringComparer.Ordinal)).ToArray();
        if (roles.Length == 0 || unknown.Length > 0 || name.Length > 100)
        {
            var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
            if (roles.Length == 0)
            {
                errors["roles"] = ["choose at least one role"];
            }

            if (unknown.Length > 0)
            {
                errors["roles"] = [$"unknown roles: {string.Join(", ", unknown)}; known: {string.Join(", ", Roles.All)}"];
            }

            if (name.Length > 100)
            {
                errors["name"] = ["at most 100 characters"];
            }

            return TypedResults.ValidationProblem(errors);
        }

        await context.SignInAsync(CookieScheme, DashboardIdentity.Development(name, roles));
        return TypedResults.Redirect(LocalReturnUrl(form?.ReturnUrl));
    }

    /// <summary>Only a path on this site (never another origin): an open redirect would make the sign-in a phishing aid.</summary>
    public static string LocalReturnUrl(string? returnUrl) =>
        returnUrl is { Length: > 1 } url && url[0] == '/' && url[1] != '/' && url[1] != '\\' ? url : "/dashboard";

    public sealed class DevelopmentSignInForm
    {
        public string? Name { get; set; }

        public string[]? Roles { get; set; }

        public string? ReturnUrl { get; set; }
    }
}

/// <summary>Which sign-in the dashboard offers: the development page, an OpenID Connect provider, or none (fails closed).</summary>
public sealed record DashboardSignInMode(bool Development, bool OpenIdConnect);

/// <summary>Dashboard identities carry the same claims as bearer tokens: a subject and <see cref="ClaimTypes.Role"/> claims.</summary>
public static class DashboardIdentity
{
    public const string DevelopmentIssuer = "dashboard-development-sign-in";

    public static ClaimsPrincipal Development(string name, IEnumerable<string> roles)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, "dev:" + name, ClaimValueTypes.String, DevelopmentIssuer),
            new(ClaimTypes.Name, name, ClaimValueTypes.String, DevelopmentIssuer),
        };
        claims.AddRange(roles.Distinct(StringComparer.Ordinal).Select(role => new Claim(ClaimTypes.Role, role, ClaimValueTypes.String, DevelopmentIssuer)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, DashboardSetup.CookieScheme, ClaimTypes.Name, ClaimTypes.Role));
    }

    public static ClaimsPrincipal FromProvider(ClaimsIdentity provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        var claims = new List<Claim>();
        if (provider.FindFirst("sub") is { Value.Length: > 0 } sub)
        {
            claims.Add(new Claim(ClaimTypes.NameIdentifier, sub.Value, ClaimValueTypes.String, sub.Issuer));
        }

        var name = provider.FindFirst("name") ?? provider.FindFirst("preferred_username") ?? provider.FindFirst("sub");
        if (name is not null)
        {
            claims.Add(new Claim(ClaimTypes.Name, name.Value, ClaimValueTypes.String, name.Issuer));
        }

        claims.AddRange(provider.Claims.Where(c => c.Type is "role" or "roles").Select(c => new Claim(ClaimTypes.Role, c.Value, ClaimValueTypes.String, c.Issuer)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, DashboardSetup.OpenIdConnectScheme, ClaimTypes.Name, ClaimTypes.Role));
    }
}

/// <summary>The roles each page admits: those of the REST endpoints it reads through (see their mappings).</summary>
public static class DashboardRoles
{
    /// <summary>Risk, lists, profiles, history and escalations: GET …/risk, lists, escalations admit compliance and admin.</summary>
    public const string RiskReaders = Roles.Compliance + "," + Roles.Admin;

    /// <summary>Grievance pipeline: grievance handling is the grievance-handler role's alone.</summary>
    public const string GrievanceHandlers = Roles.GrievanceHandler;

    /// <summary>Orleans' own dashboard (<see cref="TelemetrySetup.OrleansDashboardPath"/>): the admin role's.</summary>
    public const string Operators = Roles.Admin;

    /// <summary>Its page, linked from the navigation for <see cref="Operators"/>.</summary>
    public const string OrleansDashboardPage = TelemetrySetup.OrleansDashboardPath + "/index.html";

    public static bool ReadsRisk(ClaimsPrincipal user) => user.IsInRole(Roles.Compliance) || user.IsInRole(Roles.Admin);

    public static bool HandlesGrievances(ClaimsPrincipal user) => user.IsInRole(Roles.GrievanceHandler);
}

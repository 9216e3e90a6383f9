using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.IdentityModel.Tokens;

namespace SupplyChainWatch.Api.Hosting;

/// <summary>
/// 401 and 403 as problem details that say why: which scheme is expected and what was wrong with the token, or which
/// roles the endpoint admits. The reasons are coarse on purpose (a category, never the validator's own message, which
/// can quote the token).
/// </summary>
public sealed class AuthorizationProblems(IProblemDetailsService problems) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(authorizeResult);
        var cookie = policy.AuthenticationSchemes.Contains(Dashboard.DashboardSetup.CookieScheme, StringComparer.Ordinal);
        var bearer = policy.AuthenticationSchemes.Count == 0 || policy.AuthenticationSchemes.Contains(JwtBearerDefaults.AuthenticationScheme, StringComparer.Ordinal);
        if (cookie && !bearer)
        {
            // Dashboard pages: the cookie scheme answers as browsers expect (to the sign-in page, or the denied page).
            await _default.HandleAsync(next, context, policy, authorizeResult);
            return;
        }

        var hasBearer = context.Request.Headers.Authorization.Any(h => h?.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) == true);
        if (authorizeResult.Challenged && cookie && !hasBearer && IsBrowserNavigation(context.Request))
        {
            // An operator's browser opening a page that also admits the sign-in cookie (the Orleans dashboard): to the
            // dashboard's sign-in, which comes back here, as the dashboard's own pages do. Scripts and fetches get the 401.
            await context.ChallengeAsync(Dashboard.DashboardSetup.CookieScheme);
            return;
        }

        if (authorizeResult.Challenged)
        {
            // The bearer handler sets WWW-Authenticate (RFC 6750); the body says the same in words.
            // The bearer handler caches its result per request, so this does not validate the token a second time.
            var failure = (await context.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme)).Failure;
            await context.ChallengeAsync(JwtBearerDefaults.AuthenticationScheme);
            var reason = ChallengeReason(hasBearer, failure);
            if (cookie && !hasBearer)
            {
                reason += $" In a browser, sign in to the dashboard ({Dashboard.DashboardSetup.SignInPath}) with a role this endpoint admits.";
            }

            await WriteAsync(context, StatusCodes.Status401Unauthorized, "A valid bearer token is required.", reason);
            return;
        }

        if (authorizeResult.Forbidden)
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            var roles = policy.Requirements.OfType<RolesAuthorizationRequirement>().SelectMany(r => r.AllowedRoles).Distinct(StringComparer.Ordinal).ToArray();
            var credential = cookie ? "a token or a dashboard sign-in" : "a token";
            var detail = roles.Length > 0
                ? $"This endpoint needs {credential} with one of the roles: {string.Join(", ", roles)}."
                : "The token's roles do not admit this call.";
            await WriteAsync(context, StatusCodes.Status403Forbidden, cookie ? "Your roles do not admit this call." : "The token does not admit this call.", detail, roles);
            return;
        }

        await _default.HandleAsync(next, context, policy, authorizeResult);
    }

    /// <summary>
    /// A top-level navigation of a browser (Fetch Metadata), or, from a browser that sends no Fetch Metadata, a request
    /// that asks for HTML first; never a script's fetch of JSON.
    /// </summary>
    private static bool IsBrowserNavigation(HttpRequest request) =>
        request.Headers["Sec-Fetch-Mode"].ToString() is { Length: > 0 } mode
            ? mode == "navigate"
            : request.Headers.Accept.ToString().StartsWith("text/html", StringComparison.OrdinalIgnoreCase);

    private static string ChallengeReason(bool hasBearer, Exception? failure)
    {
        if (!hasBearer)
        {
            return "Send an Authorization header with scheme Bearer: 'Authorization: Bearer <token>'.";
        }

        return failure switch
        {
            MissingSubjectException => "The bearer token names no subject: it needs a non-empty 'sub' claim identifying the caller.",
            UnsupportedCriticalHeaderException => "The bearer token has a 'crit' header naming extensions this service does not understand.",
            SecurityTokenExpiredException => "The bearer token has expired.",
            SecurityTokenNotYetValidException => "The bearer token is not valid yet.",
            SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "The bearer token's signature does not verify with any key this service trusts.",
            SecurityTokenInvalidIssuerException => "The bearer token's issuer is not trusted here.",
            SecurityTokenInvalidAudienceException => "The bearer token is not meant for this service (audience).",
            SecurityTokenMalformedException or ArgumentException => "The bearer token is not a well-formed JWT.",
            null => "The bearer token was not accepted.",
            _ => "The bearer token could not be validated.",
        };
    }

    private Task WriteAsync(HttpContext context, int status, string title, string detail, string[]? roles = null)
    {
        context.Response.StatusCode = status;
        var problem = new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = status, Title = title, Detail = detail };
        if (roles is { Length: > 0 })
        {
            problem.Extensions["requiredRoles"] = roles;
        }

        return problems.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem }).AsTask();
    }
}

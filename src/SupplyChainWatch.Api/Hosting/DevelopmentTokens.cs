using System.Reflection;
using Microsoft.Extensions.Configuration.UserSecrets;

namespace SupplyChainWatch.Api.Hosting;

/// <summary>Development tokens minted by <c>dotnet user-jwts</c> while the service is already running.</summary>
public static class DevelopmentTokens
{
    /// <summary>
    /// <c>dotnet user-jwts</c> writes its signing key into the project's user secrets, and the README mints tokens after
    /// the service has started. The host only watches the user-secrets folder when that folder exists at start-up (on
    /// a fresh machine it does not), so a key written later would never be read and every token would be refused with
    /// "signature key not found". In Development the folder is created first; the key is then picked up on the fly.
    /// </summary>
    public static void PrepareUserSecrets()
    {
        var environment = Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT");
        if (!string.Equals(environment, Environments.Development, StringComparison.OrdinalIgnoreCase)
            || typeof(DevelopmentTokens).Assembly.GetCustomAttribute<UserSecretsIdAttribute>() is not { } secrets)
        {
            return;
        }

        if (Path.GetDirectoryName(PathHelper.GetSecretsPathFromSecretsId(secrets.UserSecretsId)) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
        }
    }
}

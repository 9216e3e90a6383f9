using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.IdentityModel.Tokens;

namespace SupplyChainWatch.Api.Hosting;

/// <summary>
/// Signing keys configured under <c>Authentication:Schemes:Bearer:SigningKeys</c> (development and the benchmark; a
/// production identity provider's keys come from its discovery document and are cached by the handler).
/// </summary>
/// <remarks>
/// ASP.NET Core hands the handler a lazy sequence that re-reads the configuration and builds new key objects on every
/// request (measured: about 5 % of a risk read's CPU). Here the keys are built once and again only when the
/// configuration reloads. In Development a token can arrive before the file watcher has seen the key that
/// <c>dotnet user-jwts</c> just wrote (the README mints tokens after starting the service): with no key known, the
/// configuration is re-read at once, at most once a second, instead of refusing the token.
/// </remarks>
public sealed class ConfiguredSigningKeys(IConfiguration configuration, IHostEnvironment environment, TimeProvider time) : IPostConfigureOptions<JwtBearerOptions>
{
    private static readonly TimeSpan ReloadInterval = TimeSpan.FromSeconds(1);
    private readonly Lock _gate = new();
    private IReadOnlyList<SecurityKey>? _keys;
    private IEnumerable<SecurityKey> _source = [];
    private DateTimeOffset _lastReload = DateTimeOffset.MinValue;

    void IPostConfigureOptions<JwtBearerOptions>.PostConfigure(string? name, JwtBearerOptions options)
    {
        if (name != JwtBearerDefaults.AuthenticationScheme || options.Authority is not null || options.TokenValidationParameters.IssuerSigningKeys is not { } source)
        {
            return;
        }

        lock (_gate)
        {
            _source = source;
            _keys = null;
        }

        ChangeToken.OnChange(configuration.GetReloadToken, () =>
        {
            lock (_gate)
            {
                _keys = null;
            }
        });
        options.TokenValidationParameters.IssuerSigningKeys = null;
        options.TokenValidationParameters.IssuerSigningKeyResolver = (_, _, _, _) => Current();
    }

    private IReadOnlyList<SecurityKey> Current()
    {
        var keys = Volatile.Read(ref _keys);
        if (keys is { Count: > 0 })
        {
            return keys;
        }

        lock (_gate)
        {
            _keys ??= [.. _source];
            if (_keys.Count == 0 && MayReload() && configuration is IConfigurationRoot root)
            {
                // The very first token may arrive before the file watcher has seen the key, so a miss re-reads at once.
                _lastReload = time.GetUtcNow();
                root.Reload();
                _keys = [.. _source];
            }

            return _keys;
        }
    }

    private bool MayReload() => environment.IsDevelopment() && time.GetUtcNow() - _lastReload >= ReloadInterval;
}

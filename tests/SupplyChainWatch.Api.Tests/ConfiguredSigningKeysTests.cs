using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Tokens;
using SupplyChainWatch.Api.Hosting;
using SupplyChainWatch.Api.Tests.Infrastructure;

namespace SupplyChainWatch.Api.Tests;

/// <summary>Signing keys configured for development: built once, and re-read when a token arrives before its key is known.</summary>
public sealed class ConfiguredSigningKeysTests
{
    [Fact]
    public void A_key_written_after_start_is_found_by_the_first_token_without_waiting_for_a_file_watcher()
    {
        // As with `dotnet user-jwts` on a fresh machine: the secrets file does not exist when the service starts, and no
        // file watcher is relied on (this source does not watch at all).
        var folder = TestPaths.NewTempDirectory();
        var file = Path.Combine(folder, "secrets.json");
        var configuration = new ConfigurationBuilder().AddJsonFile(file, optional: true, reloadOnChange: false).Build();
        var options = new JwtBearerOptions();
        options.TokenValidationParameters.IssuerSigningKeys = Keys(configuration);
        IPostConfigureOptions<JwtBearerOptions> keys = new ConfiguredSigningKeys(configuration, new Environment(Environments.Development), new FakeTimeProvider());
        keys.PostConfigure(JwtBearerDefaults.AuthenticationScheme, options);

        File.WriteAllText(file, $"{{\"Key\":\"{TestTokens.SigningKeyBase64}\"}}");
        var resolved = options.TokenValidationParameters.IssuerSigningKeyResolver(null, null, null, options.TokenValidationParameters);

        Assert.Single(resolved);
    }

    [Fact]
    public void Outside_development_a_missing_key_is_not_re_read_and_known_keys_are_built_once()
    {
        var folder = TestPaths.NewTempDirectory();
        var file = Path.Combine(folder, "secrets.json");
        File.WriteAllText(file, $"{{\"Key\":\"{TestTokens.SigningKeyBase64}\"}}");
        var configuration = new ConfigurationBuilder().AddJsonFile(file, optional: true, reloadOnChange: false).Build();
        var options = new JwtBearerOptions();
        var built = 0;
        options.TokenValidationParameters.IssuerSigningKeys = Keys(configuration, () => built++);
        IPostConfigureOptions<JwtBearerOptions> keys = new ConfiguredSigningKeys(configuration, new Environment(Environments.Production), new FakeTimeProvider());
        keys.PostConfigure(JwtBearerDefaults.AuthenticationScheme, options);

        var first = options.TokenValidationParameters.IssuerSigningKeyResolver(null, null, null, options.TokenValidationParameters);
        var second = options.TokenValidationParameters.IssuerSigningKeyResolver(null, null, null, options.TokenValidationParameters);

        Assert.Single(first);
        Assert.Same(first, second);
        Assert.Equal(1, built);
    }

    // Like ASP.NET Core's own: a lazy sequence that reads the configuration each time it is enumerated.
    private static IEnumerable<SecurityKey> Keys(IConfiguration configuration, Action? onBuild = null)
    {
        if (configuration["Key"] is { Length: > 0 } key)
        {
            onBuild?.Invoke();
            yield return new SymmetricSecurityKey(Convert.FromBase64String(key));
        }
    }

    private sealed class Environment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;

        public string ApplicationName { get; set; } = "SupplyChainWatch.Api";

        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;

        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
    }
}

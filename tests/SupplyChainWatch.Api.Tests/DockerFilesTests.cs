using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using SupplyChainWatch.Api.Tests.Infrastructure;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace SupplyChainWatch.Api.Tests;

/// <summary>
/// What can be checked of docker/ without a Docker engine: the compose file's wiring (health checks, the OTLP endpoint
/// and the service it names, mounted files, the load balancer's upstreams), nginx's own test of its config, and that a
/// token from docker/mint-token.sh opens the README's first authenticated call on a service started with a silo's
/// environment from the compose file. Image builds, container networking and the stack's start order are not covered.
/// </summary>
public sealed partial class DockerFilesTests
{
    /// <summary>Debian's nginx (installed by .ci/run).</summary>
    public const string NginxPath = "/usr/sbin/nginx";

    /// <summary>The silos' HTTP port in the image (docker/Dockerfile: ASPNETCORE_URLS=http://0.0.0.0:8080).</summary>
    private const int SiloHttpPort = 8080;

    /// <summary>OTLP over gRPC into the Aspire dashboard image (its UI is 18888).</summary>
    private const int CollectorOtlpPort = 18889;

    private static readonly string DockerDirectory = Path.Combine(TestPaths.RepositoryRoot, "docker");

    [Fact]
    public void The_compose_file_parses_and_each_silo_has_a_health_check_and_exports_to_the_collector_service_it_starts_after()
    {
        var services = Map(Compose()["services"]);
        var silos = Silos(services);
        Assert.Equal(["silo1", "silo2", "silo3"], silos.Keys.Order(StringComparer.Ordinal));

        foreach (var (name, silo) in silos)
        {
            var build = Map(silo["build"]);
            Assert.True(File.Exists(Path.Combine(DockerDirectory, Text(build["context"]), Text(build["dockerfile"]))), $"{name}: the Dockerfile it builds is missing");

            var health = Map(silo["healthcheck"]);
            Assert.False(health.TryGetValue("disable", out var disabled) && Text(disabled) == "true", $"{name}: health check disabled");
            var test = List(health["test"]).Select(Text).ToList();
            Assert.Equal("CMD", test[0]);
            Assert.Contains(test, t => t.Contains("/health/ready", StringComparison.Ordinal) && t.Contains($"127.0.0.1/{SiloHttpPort}", StringComparison.Ordinal));
            foreach (var setting in new[] { "interval", "timeout", "retries", "start_period" })
            {
                Assert.True(health.ContainsKey(setting), $"{name}: health check without {setting}");
            }

            var environment = Environment(silo);
            var endpoint = new Uri(environment["OTEL_EXPORTER_OTLP_ENDPOINT"]);
            Assert.True(services.ContainsKey(endpoint.Host), $"{name}: OTEL_EXPORTER_OTLP_ENDPOINT names '{endpoint.Host}', which is no service of the compose file");
            Assert.Equal(CollectorOtlpPort, endpoint.Port);
            Assert.Contains("aspire-dashboard", Text(Map(services[endpoint.Host])["image"]), StringComparison.Ordinal);
            Assert.Equal("grpc", environment["OTEL_EXPORTER_OTLP_PROTOCOL"]);
            Assert.True(Map(silo["depends_on"]).ContainsKey(endpoint.Host), $"{name} does not start after {endpoint.Host}");

            // The development signing key comes from docker/.env, and compose refuses to start without it.
            Assert.Matches(@"^\$\{SCW_DEV_SIGNING_KEY:\?.+\}$", environment["Authentication__Schemes__Bearer__SigningKeys__0__Value"]);
        }

        // The load balancer starts once every silo is healthy.
        var nginx = Map(services["nginx"]);
        var after = Map(nginx["depends_on"]);
        Assert.All(silos.Keys, silo => Assert.Equal("service_healthy", Text(Map(after[silo])["condition"])));
    }

    [Fact]
    public void Every_file_a_service_mounts_exists_and_the_load_balancer_sends_to_the_silos_http_port()
    {
        var services = Map(Compose()["services"]);
        var mounted = new List<string>();
        foreach (var (name, service) in services)
        {
            var definition = Map(service);
            foreach (var volume in definition.TryGetValue("volumes", out var volumes) ? List(volumes).Select(Text) : [])
            {
                var source = volume.Split(':')[0];
                if (source.StartsWith('.') || source.StartsWith('/'))
                {
                    Assert.True(File.Exists(Path.Combine(DockerDirectory, source)) || Directory.Exists(Path.Combine(DockerDirectory, source)), $"{name} mounts {source}, which does not exist");
                    mounted.Add(source);
                }
            }
        }

        Assert.Contains("./nginx.conf", mounted);

        var silos = Silos(services).Keys.ToHashSet(StringComparer.Ordinal);
        var upstreams = UpstreamServer().Matches(File.ReadAllText(Path.Combine(DockerDirectory, "nginx.conf"))).ToList();
        Assert.Equal(silos.Order(StringComparer.Ordinal), upstreams.Select(u => u.Groups["host"].Value).Order(StringComparer.Ordinal));
        Assert.All(upstreams, u => Assert.Equal(SiloHttpPort, int.Parse(u.Groups["port"].Value, CultureInfo.InvariantCulture)));
        Assert.Contains($"ASPNETCORE_URLS=http://0.0.0.0:{SiloHttpPort}", File.ReadAllText(Path.Combine(DockerDirectory, "Dockerfile")), StringComparison.Ordinal);
    }

    [Fact]
    public void The_signing_key_file_and_token_minting_the_docker_README_documents_exist()
    {
        var readme = File.ReadAllText(Path.Combine(DockerDirectory, "README.md"));
        // Its table of files: "| `name` | what |".
        var files = Regex.Matches(readme, @"^\| `([^`]+)` \|", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();
        Assert.Contains(".env.example", files);
        Assert.Contains("mint-token.sh", files);
        Assert.All(files, file => Assert.True(File.Exists(Path.Combine(DockerDirectory, file)), $"docker/README.md lists {file}, which is missing"));

        // Executable as git records it, which is what a clone gets (the README runs it as docker/mint-token.sh).
        var staged = Run("git", ["-C", TestPaths.RepositoryRoot, "ls-files", "-s", "docker/mint-token.sh"], null);
        Assert.StartsWith("100755 ", staged.Output, StringComparison.Ordinal);
        Assert.Contains(File.ReadAllLines(Path.Combine(DockerDirectory, ".env.example")), line => line == "SCW_DEV_SIGNING_KEY=");
        Assert.Contains("docker/mint-token.sh", readme, StringComparison.Ordinal);
        Assert.Contains("docker/.env", readme, StringComparison.Ordinal);

        // The key file stays out of git and of the image's build context.
        Assert.Contains(File.ReadAllLines(Path.Combine(TestPaths.RepositoryRoot, ".dockerignore")), line => line.Trim() == "docker/.env");
        var ignored = Run("git", ["-C", TestPaths.RepositoryRoot, "check-ignore", "-q", "docker/.env"], null);
        Assert.True(ignored.ExitCode == 0, "git does not ignore docker/.env");
    }

    [Fact]
    public void Nginx_accepts_the_load_balancer_config()
    {
        Assert.True(File.Exists(NginxPath), $"{NginxPath} is missing: install Debian's nginx package (apt-get install nginx), as .ci/run does.");
        var directory = TestPaths.NewTempDirectory();
        // nginx resolves upstream host names while it tests; the silos' names exist only on the compose network, so they
        // become loopback here (the previous test checks that they name the silos).
        var config = UpstreamServer().Replace(File.ReadAllText(Path.Combine(DockerDirectory, "nginx.conf")), m => $"server 127.0.0.1:{m.Groups["port"].Value}");
        var path = Path.Combine(directory, "nginx.conf");
        File.WriteAllText(path, config);

        var (exitCode, output) = Run(NginxPath, ["-t", "-p", directory, "-c", path, "-e", Path.Combine(directory, "error.log"), "-g", $"pid {Path.Combine(directory, "nginx.pid")};"], null);
        Assert.True(exitCode == 0, output);
        Assert.Contains("test is successful", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_from_mint_token_opens_the_READMEs_first_call_on_a_service_with_a_silos_compose_environment()
    {
        var key = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var variables = new Dictionary<string, string>(StringComparer.Ordinal) { ["SCW_DEV_SIGNING_KEY"] = key };
        var silo = Silos(Map(Compose()["services"]))["silo1"];

        // A silo's environment as compose interpolates it, without what only holds inside the stack: PostgreSQL, the
        // fixed silo ports and addresses, the collector (the test process gives SQLite and free ports instead).
        var environment = Environment(silo)
            .Where(e => !e.Key.StartsWith("Storage__", StringComparison.Ordinal) && !e.Key.StartsWith("Cluster__", StringComparison.Ordinal) && !e.Key.StartsWith("OTEL_", StringComparison.Ordinal))
            .ToDictionary(e => e.Key, e => Interpolate(e.Value, variables), StringComparer.Ordinal);
        Assert.Equal(key, environment["Authentication__Schemes__Bearer__SigningKeys__0__Value"]);

        // The script beside a fresh directory, so no docker/.env of this checkout decides its issuer or audience.
        var scripts = TestPaths.NewTempDirectory();
        var mint = Path.Combine(scripts, "mint-token.sh");
        File.Copy(Path.Combine(DockerDirectory, "mint-token.sh"), mint);
        var minted = Run("bash", [mint, "--sub", "me", "admin", "compliance", "auditor", "grievance-handler", "recruitment-monitor", "ngo", "case-officer"], variables);
        Assert.True(minted.ExitCode == 0, minted.Output);
        var token = minted.Output.Trim();

        await using var service = await ServiceProcess.StartAsync(TestPaths.NewTempDirectory(), environment);
        using var client = new HttpClient { BaseAddress = service.BaseAddress };
        // README: curl -s localhost:8080/health/ready, then the suppliers list with the minted token.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/health/ready", UriKind.Relative))).StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/suppliers?limit=10");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var answer = await client.SendAsync(request);
        Assert.True(answer.StatusCode == HttpStatusCode.OK, $"{(int)answer.StatusCode}: {await answer.Content.ReadAsStringAsync()}");

        // The compose settings replaced the test suite's own key: its tokens are not trusted by this service.
        using var testSuiteClient = service.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await testSuiteClient.GetAsync(new Uri("/api/v1/suppliers?limit=10", UriKind.Relative))).StatusCode);

        // The silo's health check command (bash's /dev/tcp: the image has no curl) passes against it, on this port.
        var check = List(Map(silo["healthcheck"])["test"]).Select(Text).ToList();
        Assert.Equal(["CMD", "bash", "-c"], check.Take(3));
        var script = check[3].Replace($"127.0.0.1/{SiloHttpPort}", $"127.0.0.1/{service.BaseAddress.Port}", StringComparison.Ordinal);
        var healthy = Run("bash", ["-c", script], null);
        Assert.True(healthy.ExitCode == 0, healthy.Output);
    }

    [GeneratedRegex(@"server (?<host>[A-Za-z0-9.-]+):(?<port>\d+)")]
    private static partial Regex UpstreamServer();

    private static Dictionary<object, object> Compose()
    {
        using var reader = new StringReader(File.ReadAllText(Path.Combine(DockerDirectory, "compose.yaml")));
        // MergingParser applies the "<<: *anchor" merge keys the silos are written with, as compose does.
        return Map(new DeserializerBuilder().Build().Deserialize(new MergingParser(new Parser(reader))));
    }

    /// <summary>The services built from the repository's Dockerfile that run the service (not the one-shot migration).</summary>
    private static Dictionary<string, Dictionary<object, object>> Silos(Dictionary<object, object> services) =>
        services.Select(s => (Name: Text(s.Key), Definition: Map(s.Value)))
            .Where(s => s.Definition.TryGetValue("build", out var build) && Text(Map(build)["dockerfile"]) == "docker/Dockerfile"
                && !(s.Definition.TryGetValue("command", out var command) && List(command).Select(Text).Contains("migrate")))
            .ToDictionary(s => s.Name, s => s.Definition, StringComparer.Ordinal);

    private static Dictionary<string, string> Environment(Dictionary<object, object> service) =>
        Map(service["environment"]).ToDictionary(e => Text(e.Key), e => Text(e.Value), StringComparer.Ordinal);

    /// <summary>Compose's <c>${NAME}</c>, <c>${NAME:-default}</c> and <c>${NAME:?error}</c> (an unset required variable fails the test).</summary>
    private static string Interpolate(string value, IReadOnlyDictionary<string, string> variables) =>
        Regex.Replace(value, @"\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?<op>:-|:\?)(?<arg>[^}]*))?\}", m =>
        {
            var set = variables.TryGetValue(m.Groups["name"].Value, out var v) && v.Length > 0;
            return m.Groups["op"].Value switch
            {
                ":-" => set ? v! : m.Groups["arg"].Value,
                ":?" => set ? v! : throw new Xunit.Sdk.XunitException($"compose would refuse to start: {m.Groups["arg"].Value}"),
                _ => v ?? "",
            };
        });

    private static Dictionary<object, object> Map(object? node) =>
        node as Dictionary<object, object> ?? throw new Xunit.Sdk.XunitException($"expected a mapping, found {node?.GetType().Name ?? "nothing"}");

    private static List<object> List(object? node) =>
        node as List<object> ?? throw new Xunit.Sdk.XunitException($"expected a sequence, found {node?.GetType().Name ?? "nothing"}");

    private static string Text(object? node) =>
        node as string ?? throw new Xunit.Sdk.XunitException($"expected a scalar, found {node?.GetType().Name ?? "nothing"}");

    private static (int ExitCode, string Output) Run(string file, string[] arguments, IReadOnlyDictionary<string, string>? environment)
    {
        var start = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var name in new[] { "SCW_DEV_SIGNING_KEY", "SCW_DEV_ISSUER", "SCW_DEV_AUDIENCE" })
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)), $"{file} did not exit within 30 s");
        return (process.ExitCode, output.Result + error.Result);
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using SupplyChainWatch.Probe.Hostile;

// Black-box probe of issue 14's ten findings against a running SupplyChainWatch (any version that runs in Development).
//
//   probe run      --base-url URL --user-secrets PATH --token USER_JWTS_TOKEN --tag T --phase main|restart|damaged
//                  --server-pid PID [--receiver-port P] [--silo-port P --gateway-port P] --results FILE.jsonl
//   probe corrupt  --db PATH                       (finding 9: damage four pages in the middle of a stopped service's store)
//   probe table    --before FILE.jsonl --after FILE.jsonl   (the markdown table of both runs)
//
// Tokens: --token is one `dotnet user-jwts create ... --output token` token with every role (the writer); the others
// (one per role, and the hand-made ones: no sub, a crit header, expired) are signed with the key user-jwts wrote into
// the user secrets (--user-secrets, .../usersecrets/supplychainwatch-api-dev/secrets.json).
var arguments = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 1; i + 1 < args.Length; i += 2)
{
    arguments[args[i].TrimStart('-')] = args[i + 1];
}

string Arg(string name, string? fallback = null) => arguments.TryGetValue(name, out var value) ? value : fallback ?? throw new ArgumentException($"--{name} is required");
int IntArg(string name) => int.Parse(Arg(name, "0"), CultureInfo.InvariantCulture);

switch (args.FirstOrDefault())
{
    case "corrupt":
        Findings.Corrupt(Arg("db"));
        return 0;
    case "table":
        Console.Write(Report.Table(Arg("before"), Arg("after")));
        return 0;
    case "run":
        break;
    default:
        Console.Error.WriteLine("usage: probe run|corrupt|table ... (see Program.cs)");
        return 2;
}

var tokens = Tokens.FromUserSecrets(Arg("user-secrets"), Arg("issuer", "dotnet-user-jwts"), Arg("audience", "http://localhost:5080"));
var userJwt = Arg("token");
using var api = new Api(new Uri(Arg("base-url")), tokens);
var writer = new Caller($"user-jwts token of '{Tokens.SubjectOf(userJwt)}' (every role)", userJwt, MayReadGrievances: true);
var findings = new Findings(api, Arg("tag"), writer, new Options(IntArg("server-pid"), IntArg("silo-port"), IntArg("gateway-port")));
findings.AddCanaries();
var phase = Arg("phase");
Console.WriteLine($"# phase {phase} against {api.BaseUrl}");
switch (phase)
{
    case "main":
        using (var receiver = new WebhookReceiver(IntArg("receiver-port"), api))
        {
            await findings.Finding1();
            await findings.Finding2();
            await findings.Finding3();
            await findings.Finding4();
            await findings.Finding5And6Delivery(receiver);
            await findings.Finding6();
            await findings.Finding8();
            await findings.Finding10();
            await findings.Finding9Setup();
            await findings.Sweep();
            // The body-limit middleware of cc29e96 buffered chunked bodies of ordinary endpoints (not of the import,
            // which streams) before authentication: both kinds are probed.
            await findings.Finding7("PUT", "/api/v1/suppliers/f7-{i}", "application/json", 200);
            await findings.Finding7("POST", "/api/v1/signals:import", "application/x-ndjson", 50);
        }

        break;
    case "restart":
        await findings.Finding1AfterRestart();
        await findings.Sweep();
        break;
    case "damaged":
        await findings.Finding9Damaged();
        break;
    default:
        throw new ArgumentException("--phase is main, restart or damaged");
}

Console.WriteLine($"# phase {phase}: {api.Requests} requests, {api.ServerErrors} answered 5xx, {api.NoAnswers} closed without an answer, {api.Leaks.Count} leaks");
foreach (var leak in api.Leaks)
{
    Console.WriteLine("# leak: " + leak);
}

var lines = findings.Results.Select(r => JsonSerializer.Serialize(new ReportLine(phase, r.Finding, r.Probe, r.Verdict, r.Observed, 0, 0, 0, 0, null)))
    .Append(JsonSerializer.Serialize(new ReportLine(phase, null, null, null, null, api.Requests, api.ServerErrors, api.NoAnswers, api.Leaks.Count, [.. api.Leaks])));
File.AppendAllLines(Arg("results"), lines, Encoding.UTF8);
return 0;

using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace SupplyChainWatch.Probe.Hostile;

/// <summary>One answer: status and body text.</summary>
public sealed record Answer(int Status, string Body)
{
    public JsonNode? Json
    {
        get
        {
            try
            {
                return Body.Length == 0 ? null : JsonNode.Parse(Body);
            }
            catch (System.Text.Json.JsonException)
            {
                return null;
            }
        }
    }

    public override string ToString() => $"{Status} {Short(Body)}";

    public static string Short(string text, int max = 160)
    {
        var flat = text.Replace('\n', ' ').Replace('\r', ' ').Replace('|', '/');
        return flat.Length <= max ? flat : flat[..max] + "…";
    }
}

/// <summary>
/// Every request of the probe goes through here, so the totals (requests sent, 5xx answers) and the leak search (canary
/// narrative and contact strings in anything a role other than grievance-handler receives) cover all of them.
/// </summary>
public sealed class Api(Uri baseUrl, Tokens tokens) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseCookies = false, MaxConnectionsPerServer = 64 }) { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(120) };
    private readonly List<string> _canaries = [];
    private int _requests;
    private int _serverErrors;
    private int _noAnswers;

    public Uri BaseUrl => baseUrl;

    public Tokens Tokens => tokens;

    public int Requests => _requests;

    public int ServerErrors => _serverErrors;

    /// <summary>Requests the server closed without any answer (counted apart from 5xx).</summary>
    public int NoAnswers => _noAnswers;

    public List<string> Leaks { get; } = [];

    /// <summary>Strings that only the grievance-handler role may ever see.</summary>
    public void AddCanary(string text) => _canaries.Add(text);

    /// <summary>Counts a request sent outside this class (raw sockets).</summary>
    public void CountRaw(int requests, int serverErrors)
    {
        Interlocked.Add(ref _requests, requests);
        Interlocked.Add(ref _serverErrors, serverErrors);
    }

    /// <summary>Searches something a non-grievance audience received (an answer, a webhook body, SSE text).</summary>
    public void Inspect(string channel, string text)
    {
        foreach (var canary in _canaries.Where(c => text.Contains(c, StringComparison.Ordinal)))
        {
            lock (Leaks)
            {
                Leaks.Add($"{channel}: '{canary}'");
            }
        }
    }

    public Task<Answer> Get(Caller caller, string path) => Send(caller, HttpMethod.Get, path, null, null);

    public Task<Answer> Post(Caller caller, string path, string? json) => Send(caller, HttpMethod.Post, path, json is null ? null : Encoding.UTF8.GetBytes(json), "application/json");

    public Task<Answer> Put(Caller caller, string path, string json) => Send(caller, HttpMethod.Put, path, Encoding.UTF8.GetBytes(json), "application/json");

    public Task<Answer> Delete(Caller caller, string path) => Send(caller, HttpMethod.Delete, path, null, null);

    public async Task<Answer> Send(Caller caller, HttpMethod method, string path, byte[]? body, string? mediaType)
    {
        using var request = new HttpRequestMessage(method, path);
        if (caller.Token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", caller.Token);
        }

        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(mediaType ?? "application/json");
        }

        Interlocked.Increment(ref _requests);
        Answer answer;
        try
        {
            using var response = await _http.SendAsync(request);
            answer = new Answer((int)response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        catch (HttpRequestException exception) when (exception.HttpRequestError == HttpRequestError.ConnectionError)
        {
            // Nothing listens (yet): the request never reached a server, so it is not counted.
            Interlocked.Decrement(ref _requests);
            return new Answer(-1, "connection refused");
        }
        catch (HttpRequestException exception)
        {
            answer = new Answer(0, "no answer: " + exception.HttpRequestError);
        }
        catch (TaskCanceledException)
        {
            answer = new Answer(0, "no answer: timeout");
        }

        if (answer.Status >= 500)
        {
            Interlocked.Increment(ref _serverErrors);
        }
        else if (answer.Status == 0)
        {
            Interlocked.Increment(ref _noAnswers);
        }

        if (!caller.MayReadGrievances)
        {
            Inspect($"{method} {path} as {caller.Name}", answer.Body);
        }

        return answer;
    }

    /// <summary>Reads a Server-Sent Events stream for a while; the text is searched like any answer.</summary>
    public async Task<(int Status, string Text)> ReadStream(Caller caller, string path, TimeSpan duration, Func<string, bool> enough)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", caller.Token);
        Interlocked.Increment(ref _requests);
        using var timeout = new CancellationTokenSource(duration);
        var text = new StringBuilder();
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if ((int)response.StatusCode >= 500)
            {
                Interlocked.Increment(ref _serverErrors);
            }

            if (response.StatusCode != HttpStatusCode.OK)
            {
                return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(timeout.Token));
            }

            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
            while (await reader.ReadLineAsync(timeout.Token) is { } line)
            {
                text.AppendLine(line);
                if (enough(text.ToString()))
                {
                    break;
                }
            }

            return (200, text.ToString());
        }
        catch (OperationCanceledException)
        {
            return (200, text.ToString());
        }
        finally
        {
            Inspect($"SSE {path} as {caller.Name}", text.ToString());
        }
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>Who calls: a token (or none) and whether the role may read grievance texts.</summary>
public sealed record Caller(string Name, string? Token, bool MayReadGrievances = false);

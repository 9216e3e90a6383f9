using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace SupplyChainWatch.Grains.Webhooks;

/// <summary>
/// SSRF guard for webhook targets. At subscription time: https only (http for configured hosts), no credentials in the URL,
/// and an IP-literal host must be public unless allow-listed. At delivery time the connection itself is guarded
/// (<see cref="ConnectAsync"/>): the host name is resolved and only public addresses are dialled, unless the host is
/// allow-listed as written, so a name resolving (or re-resolving) to an internal address is refused.
/// </summary>
public sealed class WebhookTargetPolicy(IOptions<WebhookOptions> options)
{
    private readonly WebhookOptions _options = options.Value;

    /// <summary>Null when the URL may be subscribed, else why not.</summary>
    public string? CheckSubscriptionUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            return "must be an absolute http(s) URL";
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            return "must not contain credentials";
        }

        if (uri.Scheme == Uri.UriSchemeHttp && !IsListed(_options.AllowHttpHosts, uri))
        {
            return "must use https (http only for hosts allowed in Webhooks:AllowHttpHosts)";
        }

        if (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
        {
            return "must use https";
        }

        if (IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var address) && IsRefused(address) && !IsListed(_options.AllowPrivateHosts, uri))
        {
            return "must not target a loopback, private, link-local, metadata or other non-global address, nor this host";
        }

        return null;
    }

    /// <summary>Not globally reachable, or this host's own address: see <see cref="SpecialPurposeAddresses"/>.</summary>
    public static bool IsRefused(IPAddress address) => SpecialPurposeAddresses.IsRefused(address);

    /// <summary>The delivery client's connect step: resolve, refuse internal addresses of hosts not allow-listed, dial.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var host = context.DnsEndPoint.Host;
        var allowPrivate = _options.AllowPrivateHosts.Contains(host.Trim('[', ']'), StringComparer.OrdinalIgnoreCase);
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        var allowed = addresses.Where(a => allowPrivate || !IsRefused(a)).ToArray();
        if (allowed.Length == 0)
        {
            // The addresses stay out of the message: it is shown to the subscriber, who must not learn internal DNS answers.
            throw new WebhookTargetRefusedException("every address of the target host is non-global or this host's own");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static bool IsListed(string[] hosts, Uri uri) => hosts.Contains(uri.IdnHost.Trim('[', ']'), StringComparer.OrdinalIgnoreCase) ||
        hosts.Contains(uri.Host, StringComparer.OrdinalIgnoreCase);
}

/// <summary>A delivery target that resolved only to addresses the policy refuses.</summary>
public sealed class WebhookTargetRefusedException : Exception
{
    public WebhookTargetRefusedException()
    {
    }

    public WebhookTargetRefusedException(string message)
        : base(message)
    {
    }

    public WebhookTargetRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

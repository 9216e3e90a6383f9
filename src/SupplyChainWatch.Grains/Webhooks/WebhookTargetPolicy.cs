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
    private static readonly (IPAddress Network, int PrefixLength)[] RefusedNetworks =
    [
        (IPAddress.Parse("0.0.0.0"), 8), (IPAddress.Parse("10.0.0.0"), 8), (IPAddress.Parse("100.64.0.0"), 10),
        (IPAddress.Parse("127.0.0.0"), 8), (IPAddress.Parse("169.254.0.0"), 16), (IPAddress.Parse("172.16.0.0"), 12),
        (IPAddress.Parse("192.0.0.0"), 24), (IPAddress.Parse("192.168.0.0"), 16), (IPAddress.Parse("198.18.0.0"), 15),
        (IPAddress.Parse("224.0.0.0"), 4), (IPAddress.Parse("240.0.0.0"), 4),
        (IPAddress.Parse("::"), 128), (IPAddress.Parse("::1"), 128), (IPAddress.Parse("fc00::"), 7), (IPAddress.Parse("fe80::"), 10),
        (IPAddress.Parse("ff00::"), 8), (IPAddress.Parse("64:ff9b::"), 96), (IPAddress.Parse("2001:db8::"), 32),
    ];

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
            return "must not target a loopback, private, link-local or metadata address";
        }

        return null;
    }

    /// <summary>Loopback, private, shared, link-local (incl. 169.254.169.254 metadata), multicast, reserved, unspecified.</summary>
    public static bool IsRefused(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        var bytes = address.GetAddressBytes();
        foreach (var (network, prefix) in RefusedNetworks)
        {
            if (network.AddressFamily == address.AddressFamily && InNetwork(bytes, network.GetAddressBytes(), prefix))
            {
                return true;
            }
        }

        return false;
    }

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
            throw new WebhookTargetRefusedException($"refused: {host} resolves to {string.Join(", ", addresses.Select(a => a.ToString()))}, a loopback, private, link-local or metadata address");
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

    private static bool InNetwork(byte[] address, byte[] network, int prefix)
    {
        for (var bit = 0; bit < prefix; bit += 8)
        {
            var bits = Math.Min(8, prefix - bit);
            var mask = (byte)(0xFF << (8 - bits));
            if ((address[bit / 8] & mask) != (network[bit / 8] & mask))
            {
                return false;
            }
        }

        return true;
    }
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

using System.Net;
using System.Net.Http;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Security.Authentication;
using SupplyChainWatch.Grains.Webhooks;

namespace SupplyChainWatch.Api.Tests;

/// <summary>
/// Issue 14, finding 6: the SSRF guard refuses every address that is not globally reachable (IANA special-purpose
/// registries, one address per block, at both ends where it matters), the host's own addresses, and judges addresses
/// that embed an IPv4 address by that address; delivery errors reach subscribers as coarse categories only.
/// </summary>
public sealed class SpecialPurposeAddressTests
{
    [Theory]
    // IPv4 special-purpose registry
    [InlineData("0.0.0.0")]
    [InlineData("0.255.255.255")]
    [InlineData("10.0.0.1")]
    [InlineData("100.64.0.1")]
    [InlineData("100.127.255.254")]
    [InlineData("127.0.0.1")]
    [InlineData("169.254.169.254")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.0.0.8")]
    [InlineData("192.0.2.10")]
    [InlineData("192.88.99.1")]
    [InlineData("192.168.1.1")]
    [InlineData("198.18.0.1")]
    [InlineData("198.19.255.255")]
    [InlineData("198.51.100.7")]
    [InlineData("203.0.113.9")]
    [InlineData("240.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("224.0.0.251")]
    [InlineData("239.255.255.250")]
    // IPv6 special-purpose registry and deprecated blocks
    [InlineData("::")]
    [InlineData("::1")]
    [InlineData("::10.0.0.1")] // IPv4-compatible
    [InlineData("::8.8.8.8")] // IPv4-compatible, even of a public address: deprecated, never a real target
    [InlineData("::ffff:10.0.0.1")] // IPv4-mapped
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("64:ff9b::a00:1")] // NAT64 well-known prefix
    [InlineData("64:ff9b::808:808")]
    [InlineData("64:ff9b:1::1")] // local-use NAT64
    [InlineData("100::1")] // discard-only
    [InlineData("2001::1")] // Teredo
    [InlineData("2001:0:ffff:ffff::1")]
    [InlineData("2001:2::1")] // benchmarking
    [InlineData("2001:20::1")] // ORCHIDv2
    [InlineData("2001:db8::1")] // documentation
    [InlineData("3fff::1")] // documentation
    [InlineData("5f00::1")] // SRv6 SIDs
    [InlineData("2002:0a00:0001::1")] // 6to4 of 10.0.0.1
    [InlineData("2002:7f00:0001::1")] // 6to4 of 127.0.0.1
    [InlineData("2002:a9fe:a9fe::1")] // 6to4 of 169.254.169.254
    [InlineData("fc00::1")] // unique local
    [InlineData("fd00:ec2::254")]
    [InlineData("fe80::1")] // link-local
    [InlineData("febf:ffff::1")]
    [InlineData("fec0::1")] // site-local
    [InlineData("feff:ffff::1")]
    [InlineData("ff02::1")] // multicast
    public void A_non_global_address_is_refused(string address) =>
        Assert.True(WebhookTargetPolicy.IsRefused(IPAddress.Parse(address)), address);

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("1.1.1.1")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.0")]
    [InlineData("172.32.0.1")]
    [InlineData("198.20.0.1")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("2a00:1450:4001:80b::200e")]
    [InlineData("2002:0808:0808::1")] // 6to4 of a public address
    [InlineData("::ffff:8.8.8.8")]
    public void A_global_address_is_allowed(string address) =>
        Assert.False(WebhookTargetPolicy.IsRefused(IPAddress.Parse(address)), address);

    [Fact]
    public void Every_address_of_this_hosts_interfaces_is_refused_public_or_not()
    {
        var own = NetworkInterface.GetAllNetworkInterfaces().SelectMany(n => n.GetIPProperties().UnicastAddresses).Select(u => u.Address).ToList();
        Assert.NotEmpty(own);
        Assert.All(own, address => Assert.True(SpecialPurposeAddresses.IsOwnAddress(address), address.ToString()));
        Assert.False(SpecialPurposeAddresses.IsOwnAddress(IPAddress.Parse("192.0.2.77")));
    }

    public static TheoryData<string, string> Failures => new()
    {
        { "dns", DeliveryErrors.DnsFailure },
        { "dns-socket", DeliveryErrors.DnsFailure },
        { "refused", DeliveryErrors.ConnectionRefused },
        { "timeout", DeliveryErrors.Timeout },
        { "tls", DeliveryErrors.TlsError },
        { "policy", DeliveryErrors.RefusedAddress },
        { "reset", DeliveryErrors.ConnectionFailed },
        { "protocol", DeliveryErrors.ProtocolError },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void A_failed_send_is_recorded_as_a_coarse_category_without_addresses_or_ports(string failure, string expected)
    {
        const string Internal = "10.1.2.3:8443 (db.internal)";
        Exception exception = failure switch
        {
            "dns" => new HttpRequestException(HttpRequestError.NameResolutionError, $"No such host is known. ({Internal})"),
            "dns-socket" => new HttpRequestException(HttpRequestError.ConnectionError, Internal, new SocketException((int)SocketError.HostNotFound)),
            "refused" => new HttpRequestException(HttpRequestError.ConnectionError, $"Connection refused ({Internal})", new SocketException((int)SocketError.ConnectionRefused)),
            "timeout" => new HttpRequestException(HttpRequestError.ConnectionError, Internal, new SocketException((int)SocketError.TimedOut)),
            "tls" => new HttpRequestException(HttpRequestError.SecureConnectionError, Internal, new AuthenticationException(Internal)),
            "policy" => new HttpRequestException(HttpRequestError.ConnectionError, Internal, new WebhookTargetRefusedException(Internal)),
            "reset" => new HttpRequestException(HttpRequestError.ConnectionError, Internal, new SocketException((int)SocketError.ConnectionReset)),
            _ => new HttpRequestException(HttpRequestError.InvalidResponse, Internal),
        };

        var category = DeliveryErrors.Classify(exception);

        Assert.Equal(expected, category);
        Assert.Contains(category, DeliveryErrors.All);
    }
}

using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace SupplyChainWatch.Grains.Webhooks;

/// <summary>
/// The one table of addresses a webhook may never reach: every block of the IANA IPv4 and IPv6 Special-Purpose Address
/// Registries (https://www.iana.org/assignments/iana-ipv4-special-registry, .../iana-ipv6-special-registry) that is not
/// globally reachable, plus multicast (IANA multicast registries), the deprecated IPv4-compatible and site-local blocks,
/// and the host's own interface addresses. Addresses that carry an IPv4 address (IPv4-mapped, 6to4) are judged by it.
/// </summary>
public static class SpecialPurposeAddresses
{
    private static readonly (IPAddress Network, int PrefixLength, string Name)[] Blocks =
    [
        // IANA IPv4 Special-Purpose Address Registry: the blocks that are not globally reachable.
        (IPAddress.Parse("0.0.0.0"), 8, "this network"),
        (IPAddress.Parse("10.0.0.0"), 8, "private-use"),
        (IPAddress.Parse("100.64.0.0"), 10, "shared address space"),
        (IPAddress.Parse("127.0.0.0"), 8, "loopback"),
        (IPAddress.Parse("169.254.0.0"), 16, "link-local (incl. 169.254.169.254 metadata)"),
        (IPAddress.Parse("172.16.0.0"), 12, "private-use"),
        (IPAddress.Parse("192.0.0.0"), 24, "IETF protocol assignments"),
        (IPAddress.Parse("192.0.2.0"), 24, "documentation (TEST-NET-1)"),
        (IPAddress.Parse("192.88.99.0"), 24, "deprecated 6to4 relay anycast"),
        (IPAddress.Parse("192.168.0.0"), 16, "private-use"),
        (IPAddress.Parse("198.18.0.0"), 15, "benchmarking"),
        (IPAddress.Parse("198.51.100.0"), 24, "documentation (TEST-NET-2)"),
        (IPAddress.Parse("203.0.113.0"), 24, "documentation (TEST-NET-3)"),
        (IPAddress.Parse("240.0.0.0"), 4, "reserved (incl. 255.255.255.255 broadcast)"),

        // IANA IPv4 Multicast Address Space Registry.
        (IPAddress.Parse("224.0.0.0"), 4, "multicast"),

        // IANA IPv6 Special-Purpose Address Registry: the blocks that are not globally reachable.
        (IPAddress.Parse("::"), 96, "IPv4-compatible (deprecated), incl. :: unspecified and ::1 loopback"),
        (IPAddress.Parse("64:ff9b::"), 96, "IPv4/IPv6 translation (NAT64 well-known prefix)"),
        (IPAddress.Parse("64:ff9b:1::"), 48, "IPv4/IPv6 translation, local use"),
        (IPAddress.Parse("100::"), 64, "discard-only"),
        (IPAddress.Parse("100:0:0:1::"), 64, "dummy IPv6 prefix"),
        (IPAddress.Parse("2001::"), 23, "IETF protocol assignments (incl. 2001::/32 Teredo, 2001:2::/48 benchmarking, ORCHID)"),
        (IPAddress.Parse("2001:db8::"), 32, "documentation"),
        (IPAddress.Parse("3fff::"), 20, "documentation"),
        (IPAddress.Parse("5f00::"), 16, "segment routing (SRv6) SIDs"),
        (IPAddress.Parse("fc00::"), 7, "unique local"),
        (IPAddress.Parse("fe80::"), 10, "link-local unicast"),
        (IPAddress.Parse("fec0::"), 10, "site-local (deprecated)"),

        // IANA IPv6 Multicast Address Space Registry.
        (IPAddress.Parse("ff00::"), 8, "multicast"),
    ];

    /// <summary>6to4 (2002::/16, RFC 3056): the IPv4 address it tunnels to is bytes 2–5.</summary>
    private static readonly IPAddress SixToFour = IPAddress.Parse("2002::");

    /// <summary>Whether the address is not globally reachable (or is one of this host's own), so no webhook may reach it.</summary>
    public static bool IsRefused(IPAddress address) => IsNonGlobal(address) || IsOwnAddress(address);

    /// <summary>Whether the address lies in a block of the table (after unwrapping an IPv4-mapped or 6to4 address).</summary>
    public static bool IsNonGlobal(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            return IsNonGlobal(address.MapToIPv4());
        }

        var bytes = address.GetAddressBytes();
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && InNetwork(bytes, SixToFour.GetAddressBytes(), 16))
        {
            return IsNonGlobal(new IPAddress(bytes.AsSpan(2, 4)));
        }

        foreach (var (network, prefix, _) in Blocks)
        {
            if (network.AddressFamily == address.AddressFamily && InNetwork(bytes, network.GetAddressBytes(), prefix))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>One of this host's interface addresses (a public one included): a webhook must not call the service's own host.</summary>
    public static bool IsOwnAddress(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var candidate = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        try
        {
            foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
            {
                foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
                {
                    var own = unicast.Address;
                    if (own.AddressFamily == candidate.AddressFamily && own.GetAddressBytes().AsSpan().SequenceEqual(candidate.GetAddressBytes()))
                    {
                        return true;
                    }
                }
            }
        }
        catch (NetworkInformationException)
        {
            // Interfaces unreadable: the table above still refuses every non-global address; fail closed on nothing else.
            return false;
        }

        return false;
    }

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

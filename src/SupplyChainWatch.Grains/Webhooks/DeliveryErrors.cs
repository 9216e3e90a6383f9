using System.Net.Http;
using System.Net.Sockets;
using System.Security.Authentication;

namespace SupplyChainWatch.Grains.Webhooks;

/// <summary>
/// What a subscriber is told about a failed attempt: a coarse category, never an exception message. Messages of the
/// networking stack name DNS answers, addresses and ports, which would let a subscriber map the service's network.
/// </summary>
public static class DeliveryErrors
{
    public const string DnsFailure = "dns_failure";
    public const string ConnectionRefused = "connection_refused";
    public const string ConnectionFailed = "connection_failed";
    public const string Timeout = "timeout";
    public const string TlsError = "tls_error";
    public const string HttpStatus = "http_status";
    public const string RefusedAddress = "refused_address";
    public const string ProtocolError = "protocol_error";

    /// <summary>Every category, for documentation and tests.</summary>
    public static IReadOnlyList<string> All { get; } = [DnsFailure, ConnectionRefused, ConnectionFailed, Timeout, TlsError, HttpStatus, RefusedAddress, ProtocolError];

    /// <summary>The category of a failed send.</summary>
    public static string Classify(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        for (var ex = exception; ex is not null; ex = ex.InnerException)
        {
            switch (ex)
            {
                case WebhookTargetRefusedException:
                    return RefusedAddress;
                case SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData }:
                    return DnsFailure;
                case SocketException { SocketErrorCode: SocketError.ConnectionRefused }:
                    return ConnectionRefused;
                case SocketException { SocketErrorCode: SocketError.TimedOut }:
                case TimeoutException:
                case OperationCanceledException:
                    return Timeout;
                case AuthenticationException:
                    return TlsError;
            }
        }

        return exception is HttpRequestException http
            ? http.HttpRequestError switch
            {
                HttpRequestError.NameResolutionError => DnsFailure,
                HttpRequestError.SecureConnectionError => TlsError,
                HttpRequestError.ConnectionError => ConnectionFailed,
                _ => ProtocolError,
            }
            : ConnectionFailed;
    }
}

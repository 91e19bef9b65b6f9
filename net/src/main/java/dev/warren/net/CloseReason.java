package dev.warren.net;

import java.util.Locale;

/**
 * Why a server-side connection was closed; {@link TcpServerStats#closed()} counts each.
 *
 * <p>The first reason recorded for a connection wins: a connection closed by the idle timeout is
 * counted as {@link #TIMEOUT} even though its handler then sees a socket error.
 */
public enum CloseReason {
    /** The handler returned (typically after the peer's clean end of stream). */
    NORMAL,
    /** The peer reset the connection or an I/O error occurred (broken pipe, connection reset...). */
    PEER_RESET,
    /** The read timeout or the idle timeout expired. */
    TIMEOUT,
    /**
     * The peer broke the protocol: {@link Connection#protocolError(String)} was called, a
     * {@link java.net.ProtocolException} (such as {@link LineTooLongException}) escaped the handler, or
     * the peer closed in the middle of a message ({@link ConnectionClosedException}).
     */
    PROTOCOL_ERROR,
    /** The server already had its maximum of connections and the policy is {@link ConnectionLimitPolicy#CLOSE}. */
    LIMIT,
    /** The server was closing and cancelled the connection after the drain timeout. */
    SHUTDOWN,
    /**
     * The TLS handshake failed: the peer sent something that is not TLS (plaintext, garbage), an alert
     * (it did not trust the certificate), no acceptable protocol or cipher, or closed during it. Logged
     * at INFO with the cause, a few times per period.
     */
    TLS_HANDSHAKE,
    /** The TLS handshake did not finish within {@link TlsOptions#handshakeTimeout()}: a peer that stalled in it. */
    TLS_HANDSHAKE_TIMEOUT,
    /** The handler threw something other than an I/O error: a bug in the handler, logged at ERROR. */
    ERROR;

    private final String label = name().toLowerCase(Locale.ROOT);

    /** The lower-case name used in stats trees and logs: {@code "peer_reset"}, {@code "protocol_error"}... */
    public String label() {
        return label;
    }
}

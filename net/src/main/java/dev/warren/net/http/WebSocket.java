package dev.warren.net.http;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * One WebSocket connection (RFC 6455), server or client side, read in blocking style.
 *
 * <pre>{@code
 * router.websocket("/ws/echo", ws -> {
 *     for (WebSocketMessage m; (m = ws.receive()) != null; ) {
 *         if (m.isText()) ws.sendText(m.text()); else ws.sendBinary(m.bytes());
 *     }
 * });
 * }</pre>
 *
 * <p><b>Threads.</b> One tasklet receives (on the server, the connection's own tasklet, which runs the
 * {@link WebSocketHandler}); {@code send*}, {@link #ping} and {@link #close} may be called from any
 * tasklet at the same time as the receiving one: each message goes out whole, in the order the calls
 * took the connection's send lock. A send blocks while the peer does not read (TCP back-pressure).
 *
 * <p><b>Protocol.</b> Pings are answered with pongs, fragmented messages reassembled (up to the
 * message limit), text checked to be UTF-8, and masking enforced (clients mask, servers do not). A
 * violation closes the connection with the status code the RFC gives (1002 protocol error, 1007 bad
 * text, 1009 too big) after telling the peer, counts a protocol error, and makes {@link #receive()} throw.
 * A connection silent for the idle timeout is pinged; if the pong does not come within another idle
 * timeout it is closed with 1001. With {@link WebSocketOptions.Builder#permessageDeflate(boolean)} on
 * both sides, messages travel compressed (RFC 7692) and {@link #compressed()} is true; nothing else about
 * the API changes.
 *
 * <p><b>Closing.</b> {@link #receive()} returns null once the peer has closed (its close frame was
 * answered) or the connection ended; {@link #closeCode()} then says how. {@link #close(int, String)} sends
 * the close frame and waits (up to 5 s) for the peer's: read by the caller itself if no tasklet is in
 * {@link #receive()} at that moment (what the peer still sends is dropped), else by the receiving tasklet,
 * whose {@link #receive()} then returns null (messages sent before the peer's close frame still arrive
 * there). To let a receiving tasklet have every message, call {@link #sendClose} instead. On the server a
 * handler that returns closes with 1000, one that throws with 1011.
 */
public interface WebSocket extends AutoCloseable {
    /** Normal closure. */
    int NORMAL = 1000;
    /** The endpoint is going away (a server shutting down, an idle connection). */
    int GOING_AWAY = 1001;
    /** The peer broke the protocol. */
    int PROTOCOL_ERROR = 1002;
    /** A data type the endpoint does not accept. */
    int UNSUPPORTED_DATA = 1003;
    /** No status code was in the close frame (never sent). */
    int NO_STATUS = 1005;
    /** The connection ended without a close frame (never sent). */
    int ABNORMAL = 1006;
    /** A text message that is not UTF-8. */
    int INVALID_DATA = 1007;
    /** A message against the endpoint's policy. */
    int POLICY_VIOLATION = 1008;
    /** A message larger than the endpoint takes. */
    int TOO_BIG = 1009;
    /** The server failed (its handler threw). */
    int INTERNAL_ERROR = 1011;

    /**
     * The next whole message; null once the connection is closed.
     *
     * @throws java.net.ProtocolException if the peer broke the protocol (the connection is closed, with the
     *     code the RFC gives, before this throws)
     * @throws IOException if the connection fails
     */
    WebSocketMessage receive() throws IOException;

    /** Sends a text message. */
    void sendText(String text) throws IOException;

    /** Sends a binary message. */
    void sendBinary(byte[] data) throws IOException;

    /**
     * Sends a ping with up to 125 bytes of data (the pong is consumed by {@link #receive()}).
     *
     * @throws IllegalArgumentException if {@code data} is longer than 125 bytes
     */
    void ping(byte[] data) throws IOException;

    /**
     * Starts or completes the close handshake with {@code code} and {@code reason} (at most 123 bytes of
     * UTF-8), then closes the connection.
     *
     * @throws IllegalArgumentException if {@code code} may not be sent (1000-1003, 1007-1014 (1012-1014 as IANA registered them) and
     *     3000-4999 may) or the reason is too long
     */
    void close(int code, String reason) throws IOException;

    /**
     * Sends the close frame and returns at once, without reading: the tasklet that receives sees the
     * peer's answer ({@link #receive()} returns null, after the messages the peer sent before it). Sends
     * after this fail.
     *
     * @throws IllegalArgumentException as {@link #close(int, String)}
     */
    void sendClose(int code, String reason) throws IOException;

    /** {@code close(1000, "")}. */
    @Override
    void close() throws IOException;

    /** Whether the connection is still open for sending and receiving. */
    boolean isOpen();

    /** The close code received or sent, {@link #ABNORMAL} if the connection just ended, -1 while open. */
    int closeCode();

    /** The reason that came with {@link #closeCode()}, or empty. */
    String closeReason();

    /** Whether the two sides agreed on {@code permessage-deflate} (RFC 7692) in the opening handshake. */
    boolean compressed();

    /** The peer's address. */
    InetSocketAddress remoteAddress();

    /** The HTTP request that opened the connection (on the server: its path, query and headers); null on a client. */
    Request request();
}

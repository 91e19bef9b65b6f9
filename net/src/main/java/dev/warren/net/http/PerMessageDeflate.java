package dev.warren.net.http;

import java.util.Arrays;
import java.util.Locale;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The {@code permessage-deflate} extension (RFC 7692) of one WebSocket: what the two sides agreed and the
 * codec that follows it. The JDK's zlib always uses a 32 KB window, so this side never accepts a request
 * to shrink its own window ({@code server_max_window_bits} on a server, {@code client_max_window_bits}
 * with a value on a client) and never asks for the peer's to shrink; it inflates whatever window the
 * peer uses.
 *
 * <p><b>Threads.</b> {@link #deflate} is called with the session's send lock held, {@link #inflate} by
 * the one receiving tasklet; the two halves share nothing. The zlib streams are created on first use (an
 * idle WebSocket holds no native memory for them) and freed by {@link #releaseDeflater()} and {@link #releaseInflater()}.
 */
final class PerMessageDeflate {
    static final String TOKEN = "permessage-deflate";
    private static final byte[] TAIL = {0, 0, (byte) 0xFF, (byte) 0xFF};

    /** Whether this side resets its compressor after every message. */
    private final boolean ownNoContext;

    private final int threshold;
    private final String responseHeader;
    private Deflater deflater;
    private Inflater inflater;

    /** The length of the last {@link #deflate} result; read under the same send lock. */
    int deflatedLength;

    private PerMessageDeflate(boolean ownNoContext, int threshold, String responseHeader) {
        this.ownNoContext = ownNoContext;
        this.threshold = threshold;
        this.responseHeader = responseHeader;
    }

    /** Thrown when an extension header breaks RFC 7692; the message names the offending part. */
    static final class NegotiationException extends Exception {
        private static final long serialVersionUID = 1L;

        NegotiationException(String message) {
            super(message);
        }
    }

    // ---------------------------------------------------------------- negotiation

    /** The client's offer: one {@code permessage-deflate} with the parameters the options ask for. */
    static String offer(WebSocketOptions options) {
        return options.contextTakeover() ? TOKEN : TOKEN + "; client_no_context_takeover; server_no_context_takeover";
    }

    /**
     * The server's choice among the offers of a {@code Sec-WebSocket-Extensions} header: the first
     * {@code permessage-deflate} offer it can honour, or null (no compression) when there is none or the
     * options do not accept compression. An offer this side cannot honour (a smaller server window, an
     * unknown or repeated parameter) is skipped, as RFC 7692 5 lets a server decline.
     */
    static PerMessageDeflate accept(String header, WebSocketOptions options) {
        if (header == null || !options.permessageDeflate()) {
            return null;
        }
        for (String offer : header.split(",", -1)) {
            String[] parts = offer.split(";", -1);
            if (!parts[0].strip().equalsIgnoreCase(TOKEN)) {
                continue;
            }
            boolean serverNoContext = !options.contextTakeover();
            boolean clientNoContext = !options.contextTakeover();
            boolean ok = true;
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (int i = 1; i < parts.length && ok; i++) {
                String p = parts[i].strip();
                String name = paramName(p);
                String value = paramValue(p);
                if (!seen.add(name)) {
                    ok = false;
                    continue;
                }
                switch (name) {
                    case "server_no_context_takeover" -> {
                        ok = value == null;
                        serverNoContext = true;
                    }
                    case "client_no_context_takeover" -> {
                        ok = value == null;
                        clientNoContext = true;
                    }
                    // our window is always 15 bits: a request for a smaller one cannot be honoured
                    case "server_max_window_bits" -> ok = "15".equals(value);
                    // the client may limit its window; we inflate any window, so nothing to answer
                    case "client_max_window_bits" -> ok = value == null || windowBits(value);
                    default -> ok = false;
                }
            }
            if (!ok) {
                continue;
            }
            StringBuilder response = new StringBuilder(TOKEN);
            if (serverNoContext) {
                response.append("; server_no_context_takeover");
            }
            if (clientNoContext) {
                response.append("; client_no_context_takeover");
            }
            return new PerMessageDeflate(serverNoContext, options.compressionThreshold(), response.toString());
        }
        return null;
    }

    /**
     * The client's reading of the server's answer to {@link #offer}: null when the server declined
     * (no header), else the agreed extension.
     *
     * @throws NegotiationException if the answer is not one a server may give to that offer
     */
    static PerMessageDeflate accepted(String header, WebSocketOptions options) throws NegotiationException {
        if (header == null || header.isBlank()) {
            return null;
        }
        if (!options.permessageDeflate()) {
            throw new NegotiationException("the server agreed to extensions that were not offered: '" + header + "'");
        }
        if (header.contains(",")) {
            throw new NegotiationException(
                    "the server agreed to more than the one extension offered: '" + header + "'");
        }
        String[] parts = header.split(";", -1);
        if (!parts[0].strip().equalsIgnoreCase(TOKEN)) {
            throw new NegotiationException("the server agreed to an extension that was not offered: '" + header + "'");
        }
        boolean clientNoContext = !options.contextTakeover();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].strip();
            String name = paramName(p);
            String value = paramValue(p);
            if (!seen.add(name)) {
                throw new NegotiationException(
                        "the server's permessage-deflate repeats '" + name + "': '" + header + "'");
            }
            boolean ok = switch (name) {
                case "server_no_context_takeover" -> value == null;
                case "client_no_context_takeover" -> {
                    clientNoContext = true;
                    yield value == null;
                }
                // the server's window: we inflate any
                case "server_max_window_bits" -> value != null && windowBits(value);
                // not offered, so the server may not send it (RFC 7692 7.1.2.2)
                default -> false;
            };
            if (!ok) {
                throw new NegotiationException(
                        "the server's permessage-deflate has a parameter this client did not offer or"
                                + " cannot take: '" + p + "' in '" + header + "'");
            }
        }
        return new PerMessageDeflate(clientNoContext, options.compressionThreshold(), null);
    }

    private static boolean windowBits(String value) {
        if (value == null || value.length() > 2 || value.isEmpty()) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) < '0' || value.charAt(i) > '9') {
                return false;
            }
        }
        int bits = Integer.parseInt(value);
        return bits >= 8 && bits <= 15;
    }

    /** The lower-case name of an extension parameter {@code name[=value]}. */
    private static String paramName(String p) {
        int eq = p.indexOf('=');
        return (eq < 0 ? p : p.substring(0, eq)).strip().toLowerCase(Locale.ROOT);
    }

    /** The value of an extension parameter, unquoted; null when it has none. */
    private static String paramValue(String p) {
        int eq = p.indexOf('=');
        return eq < 0 ? null : unquote(p.substring(eq + 1).strip());
    }

    private static String unquote(String v) {
        return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
    }

    /** The server's {@code Sec-WebSocket-Extensions} answer (null on a client). */
    String responseHeader() {
        return responseHeader;
    }

    // ---------------------------------------------------------------- the codec

    /** Whether a message of {@code length} bytes is worth compressing. */
    boolean worthCompressing(int length) {
        return length >= threshold;
    }

    /**
     * Compresses one whole message (RFC 7692 7.2.1: a sync flush, its 4-byte tail removed). Returns a
     * fresh array whose first {@link #deflatedLength} bytes are the payload (no buffer is kept between
     * messages: an idle WebSocket holds none). Called with the send lock held.
     */
    byte[] deflate(byte[] b, int off, int len) {
        if (deflater == null) {
            deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        }
        deflater.setInput(b, off, len);
        byte[] out = new byte[len / 2 + 64];
        int n = 0;
        for (; ; ) {
            n += deflater.deflate(out, n, out.length - n, Deflater.SYNC_FLUSH);
            if (n < out.length) {
                break; // the flush fit: everything is out
            }
            out = Arrays.copyOf(out, out.length * 2);
        }
        if (ownNoContext) {
            deflater.reset();
        }
        deflatedLength = n - TAIL.length; // a sync flush always ends with 00 00 FF FF
        return out;
    }

    /**
     * Inflates one whole compressed message of {@code len} bytes held at the start of {@code buf}, which
     * must have room for four more (the tail the sender removed is put back there).
     *
     * @return the message, or null if it would be longer than {@code max} bytes
     * @throws DataFormatException if the payload is not a deflate stream
     */
    byte[] inflate(byte[] buf, int len, int max) throws DataFormatException {
        if (inflater == null) {
            inflater = new Inflater(true);
        }
        System.arraycopy(TAIL, 0, buf, len, TAIL.length);
        inflater.setInput(buf, 0, len + TAIL.length);
        byte[] msg = new byte[(int) Math.min((long) max + 1, Math.max(256L, len * 4L))];
        int n = 0;
        for (; ; ) {
            int k = inflater.inflate(msg, n, msg.length - n);
            n += k;
            if (n > max) {
                return null;
            }
            if (n == msg.length) {
                msg = Arrays.copyOf(msg, (int) Math.min((long) max + 1, msg.length * 2L));
                continue;
            }
            if (inflater.finished()) {
                // a final block: the peer ended its stream, the next message starts a new one
                inflater.reset();
                break;
            }
            if (k == 0) {
                break; // zlib makes no output only when it needs input (or a dictionary: not deflate's)
            }
        }
        return n == msg.length ? msg : Arrays.copyOf(msg, n);
    }

    /** Frees the zlib streams (they are made again if used); idempotent. */
    void releaseDeflater() {
        if (deflater != null) {
            deflater.end();
            deflater = null;
        }
    }

    /** Frees the inflater; called by the receiving side only. */
    void releaseInflater() {
        if (inflater != null) {
            inflater.end();
            inflater = null;
        }
    }
}

package dev.warren.net.http;

import dev.warren.net.Connection;
import dev.warren.tasklets.Fairness;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The WebSocket protocol (RFC 6455) over a {@link Connection}, for either role: framing, masking,
 * fragmentation, control frames, UTF-8 checks and the close handshake. See {@link WebSocket} for the
 * contract; the receiving side is single-threaded, sends are serialised by {@link #sendLock}.
 */
final class WsSession implements WebSocket {
    static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final SecureRandom MASKS = new SecureRandom();
    private static final long CLOSE_WAIT_MILLIS = 5000;

    private final Connection conn;
    private final boolean client;
    private final int maxMessage;
    private final long idleMillis;
    /** How long one read may wait: the idle timeout (null: none), or what is left of a close's wait. */
    private Duration wait;
    /** The agreed {@code permessage-deflate}, or null when messages go uncompressed. */
    private final PerMessageDeflate deflate;

    private final Request request;
    private final ReentrantLock sendLock = new ReentrantLock();
    private final byte[] head = new byte[14];

    private volatile boolean closeSent;
    private volatile boolean closeReceived;
    private volatile int closeCode = -1;
    private volatile String closeReason = "";
    private boolean pingOutstanding;
    /** Held while reading the connection: one reader at a time, whoever it is. */
    private final ReentrantLock readLock = new ReentrantLock();
    /** Counted down when the close handshake is complete or the connection ended. */
    private final java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(1);

    /** Reassembles a message; empty until the first one (an idle WebSocket holds no buffer for it). */
    private byte[] message = EMPTY;

    private static final byte[] EMPTY = new byte[0];

    WsSession(Connection conn, boolean client, WebSocketOptions options, PerMessageDeflate deflate, Request request) {
        this.conn = conn;
        this.client = client;
        this.maxMessage = options.maxMessageBytes();
        this.idleMillis =
                options.idleTimeout() == null ? 0 : options.idleTimeout().toMillis();
        this.wait = options.idleTimeout();
        this.deflate = deflate;
        this.request = request;
    }

    @Override
    public boolean compressed() {
        return deflate != null;
    }

    /** {@code Sec-WebSocket-Accept} for a key: base64(SHA-1(key + GUID)). */
    static String accept(String key) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            return Base64.getEncoder().encodeToString(sha1.digest((key + GUID).getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }

    // ---------------------------------------------------------------- receiving

    @Override
    public WebSocketMessage receive() throws IOException {
        readLock.lock();
        boolean done = true;
        try {
            WebSocketMessage m = receiveFrames();
            done = m == null;
            return m;
        } finally {
            if (done) {
                releaseCodec();
            }
            readLock.unlock();
        }
    }

    private WebSocketMessage receiveFrames() throws IOException {
        int opcode = -1;
        int length = 0;
        boolean compressedMessage = false;
        for (; ; ) {
            if (closeReceived || (closeCode >= 0 && !conn.isOpen())) {
                return null;
            }
            int b0 = firstByte();
            if (b0 < 0) {
                ended();
                return null;
            }
            int b1 = conn.readByte();
            if (b1 < 0) {
                ended();
                return null;
            }
            boolean fin = (b0 & 0x80) != 0;
            int op = b0 & 0x0F;
            boolean masked = (b1 & 0x80) != 0;
            long len = b1 & 0x7F;
            if ((b0 & 0x30) != 0) {
                throw fail(PROTOCOL_ERROR, "reserved bits RSV2/RSV3 set in a frame (no extension uses them)");
            }
            boolean rsv1 = (b0 & 0x40) != 0;
            if (rsv1 && (deflate == null || op == 0 || op >= 8)) {
                throw fail(
                        PROTOCOL_ERROR,
                        deflate == null
                                ? "reserved bit RSV1 set in a frame (no extension was agreed)"
                                : "RSV1 set on a " + (op == 0 ? "continuation" : "control")
                                        + " frame (permessage-deflate marks only a message's first frame)");
            }
            if (masked == client) {
                throw fail(
                        PROTOCOL_ERROR,
                        client ? "a masked frame from the server" : "an unmasked frame from the client");
            }
            if ((op >= 3 && op <= 7) || op >= 11) {
                throw fail(PROTOCOL_ERROR, "reserved opcode " + op);
            }
            if (len == 126) {
                len = conn.readShort() & 0xFFFF;
            } else if (len == 127) {
                len = conn.readLong();
                if (len < 0) {
                    throw fail(PROTOCOL_ERROR, "a frame length with the top bit set");
                }
            }
            boolean control = op >= 8;
            if (control && (!fin || len > 125)) {
                throw fail(
                        PROTOCOL_ERROR,
                        !fin ? "a fragmented control frame" : "a control frame of " + len + " bytes (at most 125)");
            }
            int maskKey = masked ? conn.readInt() : 0;
            if (control) {
                byte[] payload = new byte[(int) len];
                readPayload(payload, 0, (int) len, maskKey);
                if (op == 9) {
                    if (!closeSent) {
                        sendFrame(10, payload, 0, payload.length);
                    }
                } else if (op == 10) {
                    pingOutstanding = false;
                } else {
                    onClose(payload);
                    return null;
                }
                continue;
            }
            if (op == 0 && opcode < 0) {
                throw fail(PROTOCOL_ERROR, "a continuation frame with no message to continue");
            }
            if (op != 0 && opcode >= 0) {
                throw fail(PROTOCOL_ERROR, "a new message inside a fragmented one");
            }
            if (op != 0) {
                opcode = op;
                length = 0;
                compressedMessage = rsv1;
            }
            if (length + len > maxMessage) {
                throw fail(TOO_BIG, "a message of more than " + maxMessage + " bytes");
            }
            int n = (int) len;
            // four spare bytes: an inflated message gets back the tail its sender removed
            int room = length + n + (compressedMessage ? 4 : 0);
            if (message.length < room) {
                message = Arrays.copyOf(message, (int) Math.min(maxMessage + 4L, Math.max(room, message.length * 2L)));
            }
            readPayload(message, length, n, maskKey);
            length += n;
            if (fin) {
                byte[] data = compressedMessage ? inflate(length) : Arrays.copyOf(message, length);
                if (message.length > 64 * 1024) {
                    message = EMPTY; // a big message does not pin its buffer to an idle socket
                }
                if (opcode == 1 && !utf8(data)) {
                    throw fail(INVALID_DATA, "a text message that is not UTF-8");
                }
                Fairness.checkpoint(); // a peer that never stops sending must not keep the carrier
                return new WebSocketMessage(opcode == 1, data);
            }
        }
    }

    private byte[] inflate(int length) throws IOException {
        byte[] data;
        try {
            data = deflate.inflate(message, length, maxMessage);
        } catch (java.util.zip.DataFormatException e) {
            throw fail(PROTOCOL_ERROR, "a compressed message that is not a deflate stream (" + e.getMessage() + ")");
        }
        if (data == null) {
            throw fail(TOO_BIG, "a message that inflates to more than " + maxMessage + " bytes");
        }
        return data;
    }

    /** The first byte of the next frame, pinging a silent peer once per idle timeout; -1 at the end. */
    private int firstByte() throws IOException {
        for (; ; ) {
            conn.readTimeout(wait);
            try {
                // between messages: wait in the small input buffer (senders may be using the output one)
                return conn.readByteUnbufferedInput();
            } catch (SocketTimeoutException e) {
                if (closeSent) {
                    throw e; // close()'s wait for the peer's answer is over
                }
                if (pingOutstanding) {
                    closeQuietly(GOING_AWAY, "idle: no answer to a ping within " + idleMillis + " ms");
                    throw e;
                }
                pingOutstanding = true;
                sendFrame(9, new byte[0], 0, 0);
            }
        }
    }

    private void readPayload(byte[] into, int off, int n, int maskKey) throws IOException {
        if (n > 0 && conn.readFully(into, off, n) < n) {
            throw fail(PROTOCOL_ERROR, "the connection ended inside a frame");
        }
        if (maskKey != 0) {
            for (int i = 0; i < n; i++) {
                into[off + i] ^= (byte) (maskKey >>> (24 - 8 * (i & 3)));
            }
        }
    }

    private void onClose(byte[] payload) throws IOException {
        closeReceived = true;
        int code = NO_STATUS;
        String reason = "";
        if (payload.length == 1) {
            throw fail(PROTOCOL_ERROR, "a close frame with a one-byte payload");
        }
        if (payload.length >= 2) {
            code = ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
            if (!sendable(code)) {
                throw fail(PROTOCOL_ERROR, "close code " + code + " may not be sent");
            }
            byte[] r = Arrays.copyOfRange(payload, 2, payload.length);
            if (!utf8(r)) {
                throw fail(INVALID_DATA, "a close reason that is not UTF-8");
            }
            reason = new String(r, StandardCharsets.UTF_8);
        }
        closeCode = code;
        closeReason = reason;
        if (!closeSent) {
            writeClose(code == NO_STATUS ? NORMAL : code, "");
        }
        conn.close();
        finished.countDown();
    }

    private void ended() {
        if (closeCode < 0) {
            closeCode = ABNORMAL;
        }
        conn.abort();
        finished.countDown();
    }

    /** Tells the peer {@code code} (best effort), then returns the exception that ends the connection. */
    private IOException fail(int code, String why) {
        closeQuietly(code, why);
        IOException e = conn.protocolError("websocket: " + why + " (closed with " + code + ")");
        finished.countDown();
        return e;
    }

    private void closeQuietly(int code, String why) {
        closeCode = code;
        closeReason = why;
        try {
            if (!closeSent) {
                writeClose(code, why.length() > 100 ? why.substring(0, 100) : why);
            }
        } catch (IOException | RuntimeException e) {
            // the peer is gone or not reading: the close frame was a courtesy
        }
    }

    /** Frees the zlib streams once no more messages will be read; called with the read lock held. */
    private void releaseCodec() {
        if (deflate == null) {
            return;
        }
        deflate.releaseInflater();
        sendLock.lock();
        try {
            deflate.releaseDeflater();
        } finally {
            sendLock.unlock();
        }
    }

    /**
     * Whether {@code b} is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing past
     * U+10FFFF). Allocates nothing: every text message goes through here.
     */
    static boolean utf8(byte[] b) {
        int n = b.length;
        for (int i = 0; i < n; ) {
            int c = b[i];
            if (c >= 0) {
                i++;
                continue;
            }
            c &= 0xFF;
            if (c < 0xC2) {
                return false; // a continuation byte first, or an overlong two-byte form
            }
            if (c < 0xE0) {
                if (i + 1 >= n || (b[i + 1] & 0xC0) != 0x80) {
                    return false;
                }
                i += 2;
            } else if (c < 0xF0) {
                if (i + 2 >= n) {
                    return false;
                }
                int c1 = b[i + 1] & 0xFF;
                if ((c1 & 0xC0) != 0x80 || (b[i + 2] & 0xC0) != 0x80) {
                    return false;
                }
                if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0)) {
                    return false; // overlong, or a UTF-16 surrogate
                }
                i += 3;
            } else if (c < 0xF5) {
                if (i + 3 >= n) {
                    return false;
                }
                int c1 = b[i + 1] & 0xFF;
                if ((c1 & 0xC0) != 0x80 || (b[i + 2] & 0xC0) != 0x80 || (b[i + 3] & 0xC0) != 0x80) {
                    return false;
                }
                if ((c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 >= 0x90)) {
                    return false; // overlong, or past U+10FFFF
                }
                i += 4;
            } else {
                return false;
            }
        }
        return true;
    }

    static boolean sendable(int code) {
        return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
    }

    // ---------------------------------------------------------------- sending

    @Override
    public void sendText(String text) throws IOException {
        byte[] b = Objects.requireNonNull(text, "text").getBytes(StandardCharsets.UTF_8);
        sendData(1, b);
    }

    @Override
    public void sendBinary(byte[] data) throws IOException {
        sendData(2, Objects.requireNonNull(data, "data"));
    }

    private void sendData(int op, byte[] b) throws IOException {
        if (closeSent) {
            throw new IOException("the WebSocket is closed (" + closeCode + "): no more messages");
        }
        if (deflate != null && deflate.worthCompressing(b.length)) {
            sendLock.lock();
            try {
                if (closeSent) {
                    throw new IOException("the WebSocket is closed (" + closeCode + ")");
                }
                byte[] z = deflate.deflate(b, 0, b.length);
                writeFrame(op, true, z, 0, deflate.deflatedLength);
            } finally {
                sendLock.unlock();
            }
            return;
        }
        sendFrame(op, b, 0, b.length);
    }

    @Override
    public void ping(byte[] data) throws IOException {
        Objects.requireNonNull(data, "data");
        if (data.length > 125) {
            throw new IllegalArgumentException("a ping carries at most 125 bytes, was " + data.length);
        }
        sendFrame(9, data, 0, data.length);
    }

    private void writeClose(int code, String reason) throws IOException {
        byte[] r = reason.getBytes(StandardCharsets.UTF_8);
        byte[] p = new byte[2 + r.length];
        p[0] = (byte) (code >>> 8);
        p[1] = (byte) code;
        System.arraycopy(r, 0, p, 2, r.length);
        sendLock.lock();
        try {
            if (closeSent) {
                return;
            }
            closeSent = true;
            writeFrame(8, false, p, 0, p.length);
        } finally {
            sendLock.unlock();
        }
    }

    private void sendFrame(int op, byte[] b, int off, int len) throws IOException {
        sendLock.lock();
        try {
            if (closeSent && op != 10) {
                throw new IOException("the WebSocket is closed (" + closeCode + ")");
            }
            writeFrame(op, false, b, off, len);
        } finally {
            sendLock.unlock();
        }
    }

    /** One frame, FIN set, RSV1 if compressed, masked on a client; flushed. Called with the send lock held. */
    private void writeFrame(int op, boolean rsv1, byte[] b, int off, int len) throws IOException {
        int h = 0;
        head[h++] = (byte) (0x80 | (rsv1 ? 0x40 : 0) | op);
        int maskBit = client ? 0x80 : 0;
        if (len < 126) {
            head[h++] = (byte) (maskBit | len);
        } else if (len < 65536) {
            head[h++] = (byte) (maskBit | 126);
            head[h++] = (byte) (len >>> 8);
            head[h++] = (byte) len;
        } else {
            head[h++] = (byte) (maskBit | 127);
            for (int i = 7; i >= 0; i--) {
                head[h++] = (byte) ((long) len >>> (8 * i));
            }
        }
        if (!client) {
            conn.write(head, 0, h);
            conn.write(b, off, len);
        } else {
            int key = MASKS.nextInt();
            for (int i = 0; i < 4; i++) {
                head[h++] = (byte) (key >>> (24 - 8 * i));
            }
            conn.write(head, 0, h);
            byte[] masked = new byte[Math.min(len, 8192)];
            for (int done = 0; done < len; ) {
                int n = Math.min(masked.length, len - done);
                for (int i = 0; i < n; i++) {
                    masked[i] = (byte) (b[off + done + i] ^ (key >>> (24 - 8 * ((done + i) & 3))));
                }
                conn.write(masked, 0, n);
                done += n;
            }
        }
        conn.flush();
    }

    // ---------------------------------------------------------------- closing

    private static void checkClose(int code, String reason) {
        Objects.requireNonNull(reason, "reason");
        if (!sendable(code)) {
            throw new IllegalArgumentException("close code must be 1000-1003, 1007-1014 or 3000-4999, was " + code);
        }
        if (reason.getBytes(StandardCharsets.UTF_8).length > 123) {
            throw new IllegalArgumentException("a close reason has at most 123 bytes of UTF-8, was '" + reason + "'");
        }
    }

    @Override
    public void sendClose(int code, String reason) throws IOException {
        checkClose(code, reason);
        if (closeSent || !conn.isOpen()) {
            return;
        }
        if (closeCode < 0) {
            closeCode = code;
            closeReason = reason;
        }
        writeClose(code, reason);
    }

    @Override
    public void close(int code, String reason) throws IOException {
        checkClose(code, reason);
        if (closeSent || !conn.isOpen()) {
            return;
        }
        if (closeCode < 0) {
            closeCode = code;
            closeReason = reason;
        }
        try {
            writeClose(code, reason);
        } catch (IOException e) {
            conn.abort();
            return;
        }
        if (!readLock.tryLock()) {
            // another tasklet is in receive(): it reads the peer's answer and ends the connection
            try {
                if (!finished.await(CLOSE_WAIT_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    conn.abort(); // no answer: the receiver sees the connection end
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                conn.abort();
            }
            return;
        }
        // nobody is receiving: wait for the peer's close frame here, dropping what it still sends
        long deadline = System.nanoTime() + CLOSE_WAIT_MILLIS * 1_000_000;
        try {
            while (!closeReceived && conn.isOpen()) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    break;
                }
                wait = Duration.ofMillis(left);
                if (receiveFrames() == null && !closeReceived) {
                    break;
                }
            }
        } catch (IOException e) {
            // the peer went away without its close frame: nothing left to wait for
        } finally {
            releaseCodec();
            readLock.unlock();
            conn.abort();
            finished.countDown();
        }
    }

    @Override
    public void close() throws IOException {
        close(NORMAL, "");
    }

    @Override
    public boolean isOpen() {
        return !closeSent && !closeReceived && conn.isOpen();
    }

    @Override
    public int closeCode() {
        return closeCode;
    }

    @Override
    public String closeReason() {
        return closeReason;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return conn.remoteAddress();
    }

    @Override
    public Request request() {
        return request;
    }

    /** Runs a server handler on this session and closes it as {@link WebSocketHandler} says. */
    void serve(WebSocketHandler handler, HttpServer server) throws IOException {
        try {
            handler.serve(this);
        } catch (java.net.ProtocolException | java.net.SocketTimeoutException e) {
            throw e; // the peer's doing: counted by the connection
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            server.handlerErrors.increment();
            HttpServer.LOG.error("{}: WebSocket handler failed on {}", server.name, request, e);
            closeQuietly(INTERNAL_ERROR, "internal error");
            conn.abort();
            return;
        }
        if (conn.isOpen() && !closeSent) {
            close(NORMAL, "");
        }
    }
}

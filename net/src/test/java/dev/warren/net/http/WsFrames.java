package dev.warren.net.http;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/** What the WebSocket tests that speak raw frames share: an echo handler and readers of the server's side. */
final class WsFrames {
    private WsFrames() {}

    /** Echoes every message as it came: text as text, binary as binary. */
    static WebSocketHandler echo() {
        return ws -> {
            for (WebSocketMessage m; (m = ws.receive()) != null; ) {
                if (m.isText()) {
                    ws.sendText(m.text());
                } else {
                    ws.sendBinary(m.bytes());
                }
            }
        };
    }

    /** Reads an HTTP head up to and including its empty line, as ISO-8859-1. */
    static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new EOFException("the head ended early: " + head);
            }
            head.append((char) c);
        }
        return head.toString();
    }

    /**
     * Plays a server's side of the opening handshake on an accepted socket: reads the client's request
     * and answers 101 with the right {@code Sec-WebSocket-Accept} and {@code extraHeaders} (each line
     * ending in CRLF).
     */
    static void answer101(java.net.Socket c, String extraHeaders) throws IOException {
        String key = readHead(c.getInputStream())
                .lines()
                .filter(l -> l.startsWith("Sec-WebSocket-Key:"))
                .findFirst()
                .orElseThrow(() -> new IOException("the client sent no Sec-WebSocket-Key"))
                .substring(18)
                .strip();
        c.getOutputStream()
                .write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                + "Sec-WebSocket-Accept: " + WsSession.accept(key) + "\r\n" + extraHeaders + "\r\n")
                        .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        c.getOutputStream().flush();
    }

    /** Reads the server's frames until its close frame; returns the close code (1005 for none). */
    static int readClose(InputStream raw) throws IOException {
        DataInputStream in = new DataInputStream(raw);
        for (; ; ) {
            int b0 = in.readUnsignedByte();
            int len = in.readUnsignedByte();
            if ((len & 0x80) != 0) {
                throw new IOException("a server never masks");
            }
            if (len == 126) {
                len = in.readUnsignedShort();
            }
            byte[] p = new byte[len];
            in.readFully(p);
            if ((b0 & 0x0F) == 8) {
                return p.length >= 2 ? ((p[0] & 0xFF) << 8) | (p[1] & 0xFF) : 1005;
            }
        }
    }
}

package dev.warren.net.http;

import java.util.Base64;
import java.util.Locale;

/** The server's side of the opening handshake (RFC 6455 4.2): checks the request, answers 101 or an error. */
final class WebSocketUpgrade {
    private WebSocketUpgrade() {}

    static HttpHandler handler(WebSocketHandler handler, WebSocketOptions options) {
        return req -> accept(req, handler, options);
    }

    static Response accept(Request req, WebSocketHandler handler, WebSocketOptions options) {
        if (!req.method().equals("GET")) {
            return Response.text(400, "a WebSocket opening handshake is a GET, was " + req.method() + "\n");
        }
        if (!hasToken(req.header("Upgrade"), "websocket") || !hasToken(req.header("Connection"), "upgrade")) {
            return Response.text(426, "this is a WebSocket endpoint: send Upgrade: websocket, Connection: Upgrade\n")
                    .header("Upgrade", "websocket");
        }
        String version = req.header("Sec-WebSocket-Version");
        if (!"13".equals(version == null ? null : version.strip())) {
            return Response.text(426, "Sec-WebSocket-Version must be 13, was '" + version + "'\n")
                    .header("Sec-WebSocket-Version", "13");
        }
        String key = req.header("Sec-WebSocket-Key");
        if (!validKey(key)) {
            return Response.text(400, "Sec-WebSocket-Key must be 16 bytes in base64, was '" + key + "'\n");
        }
        // one negotiation per handshake: the codec belongs to the one connection it answers
        PerMessageDeflate deflate = PerMessageDeflate.accept(req.header("Sec-WebSocket-Extensions"), options);
        Response r = Response.switching(
                        (conn, server) -> new WsSession(conn, false, options, deflate, req).serve(handler, server))
                .upgradeHeader("Upgrade", "websocket")
                .upgradeHeader("Connection", "Upgrade")
                .upgradeHeader("Sec-WebSocket-Accept", WsSession.accept(key.strip()));
        return deflate == null ? r : r.upgradeHeader("Sec-WebSocket-Extensions", deflate.responseHeader());
    }

    static boolean validKey(String key) {
        if (key == null) {
            return false;
        }
        try {
            return Base64.getDecoder().decode(key.strip()).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Whether a comma-separated header value holds {@code token} (any case). */
    static boolean hasToken(String value, String token) {
        if (value == null) {
            return false;
        }
        for (String t : value.split(",", -1)) {
            if (t.strip().toLowerCase(Locale.ROOT).equals(token)) {
                return true;
            }
        }
        return false;
    }
}

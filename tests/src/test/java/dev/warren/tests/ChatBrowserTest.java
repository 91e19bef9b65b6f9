package dev.warren.tests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.net.http.WebSocket;
import dev.warren.net.http.WebSocketClient;
import dev.warren.net.http.WebSocketMessage;
import dev.warren.net.http.WebSocketOptions;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code /chat} page of {@code ./http_server} in headless Chromium, with Warren's own client as the
 * second person in the room: the browser's WebSocket agrees on {@code permessage-deflate} with the
 * server, and messages cross both ways, a long one compressed by the browser and inflated by the server.
 * The screenshot goes to {@code tests/target/chat.png}.
 */
class ChatBrowserTest {
    private static String text(Cdp page, String js) throws Exception {
        return page.evaluate(js).getAsString();
    }

    /** The text of element {@code id}, empty while the page has not made it yet. */
    private static String byId(Cdp page, String id) throws Exception {
        return text(page, "(document.getElementById('" + id + "') || {textContent: ''}).textContent");
    }

    @Test
    void aBrowserAndOurClientChatThroughTheDemo(@TempDir Path profile) throws Exception {
        Path chromium = ExternalTool.require("chromium", "chromium");
        try (DemoProcess server = DemoProcess.start("http_server", "0")) {
            String port = server.await("listening on http://127\\.0\\.0\\.1:(\\d+)/", 30);
            try (Cdp page = Cdp.open(chromium, profile, "http://127.0.0.1:" + port + "/chat", 900, 700)) {
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> byId(page, "state").startsWith("connected"));
                assertTrue(
                        byId(page, "state").contains("permessage-deflate"),
                        "the browser and the server agreed on compression: " + byId(page, "state"));
                WebSocketOptions deflate = WebSocketOptions.builder()
                        .idleTimeout(null)
                        .permessageDeflate(true)
                        .build();
                try (WebSocket java =
                        WebSocketClient.connect(URI.create("ws://127.0.0.1:" + port + "/ws/chat"), deflate)) {
                    assertTrue(java.compressed());
                    java.sendText("hello from java");
                    await().atMost(Duration.ofSeconds(30))
                            .until(() -> byId(page, "log").contains("hello from java"));
                    String longLine = "tasklets all the way down, ".repeat(400);
                    page.evaluate("(() => { document.getElementById('msg').value = 'hi from chromium';"
                            + " document.getElementById('f').requestSubmit();"
                            + " document.getElementById('msg').value = '" + longLine + "';"
                            + " document.getElementById('f').requestSubmit(); return 'sent'; })()");
                    boolean shortSeen = false;
                    boolean longSeen = false;
                    while (!(shortSeen && longSeen)) {
                        WebSocketMessage m = java.receive();
                        assertTrue(m != null, "the room closed before the browser's messages came");
                        shortSeen |= m.text().endsWith(": hi from chromium");
                        longSeen |= m.text().endsWith(": " + longLine);
                    }
                    assertEquals(
                            "",
                            text(page, "document.getElementById('msg').value"),
                            "the page cleared its input after sending");
                }
                Path shot = Path.of("target/chat.png");
                Files.write(shot, page.screenshot());
                assertTrue(Files.size(shot) > 5_000);
            }
        }
    }
}

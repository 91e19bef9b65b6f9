package dev.warren.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.net.http.HttpServer;
import dev.warren.net.http.Router;
import dev.warren.net.http.WebSocket;
import dev.warren.net.http.WebSocketClient;
import dev.warren.net.http.WebSocketMessage;
import dev.warren.net.http.WebSocketOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Node's {@code ws} package (from the npm registry) against Warren's WebSocket server and client: the
 * peer most WebSocket code in the wild is written against.
 */
class NodeWebSocketTest {
    /** Pinned, so that a new release of the peer cannot change what this test checks. */
    static final String WS_VERSION = "8.23.1";

    private static Path node;
    private static Path wsModule;

    @BeforeAll
    static void installWs() throws Exception {
        node = ExternalTool.require("node", "nodejs");
        Path npm = ExternalTool.require("npm", "npm");
        Path prefix = Path.of("target", "node").toAbsolutePath();
        wsModule = prefix.resolve("node_modules/ws");
        if (!Files.exists(wsModule.resolve("package.json"))) {
            Files.createDirectories(prefix);
            Process p = new ProcessBuilder(
                            npm.toString(),
                            "install",
                            "--no-audit",
                            "--no-fund",
                            "--silent",
                            "--prefix",
                            prefix.toString(),
                            "ws@" + WS_VERSION)
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(180, TimeUnit.SECONDS), "npm install ws took more than 3 minutes");
            assertEquals(0, p.exitValue(), "npm install ws@" + WS_VERSION + " failed:\n" + out);
        }
    }

    private static Path script(String name) throws IOException {
        Path target = Path.of("target", "node", name).toAbsolutePath();
        try (var in = NodeWebSocketTest.class.getResourceAsStream("/node/" + name)) {
            Files.write(target, in.readAllBytes());
        }
        return target;
    }

    @ParameterizedTest(name = "permessage-deflate {0}")
    @ValueSource(booleans = {false, true})
    void nodeAsTheClientOfOurServer(boolean deflate) throws Exception {
        Router router = Router.builder()
                .websocket(
                        "/ws/echo",
                        WebSocketOptions.builder().permessageDeflate(deflate).build(),
                        ws -> {
                            for (WebSocketMessage m; (m = ws.receive()) != null; ) {
                                if (m.isText()) {
                                    ws.sendText(m.text());
                                } else {
                                    ws.sendBinary(m.bytes());
                                }
                            }
                        })
                .build();
        try (HttpServer server =
                HttpServer.builder().bindAddress("127.0.0.1").handler(router).start()) {
            Process p = new ProcessBuilder(
                            node.toString(),
                            script("ws-client.js").toString(),
                            wsModule.toString(),
                            "ws://127.0.0.1:" + server.port() + "/ws/echo")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), out);
            assertEquals(0, p.exitValue(), out);
            assertEquals(
                    List.of(
                            "extensions " + (deflate ? "permessage-deflate" : ""), // node always offers it
                            "echoes ok",
                            "closed 1000 "), // our answer echoes the code, without a reason
                    out.lines().toList());
        }
    }

    @ParameterizedTest(name = "permessage-deflate {0}")
    @ValueSource(booleans = {false, true})
    void ourClientAgainstANodeServer(boolean deflate) throws Exception {
        Process p = new ProcessBuilder(
                        node.toString(),
                        script("ws-server.js").toString(),
                        wsModule.toString(),
                        deflate ? "deflate" : "plain")
                .redirectErrorStream(true)
                .start();
        try {
            BufferedReader lines =
                    new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String first = lines.readLine();
            assertTrue(first != null && first.startsWith("port "), "the node server did not start: " + first);
            int port = Integer.parseInt(first.substring(5));
            WebSocketOptions options = WebSocketOptions.builder()
                    .idleTimeout(null)
                    .permessageDeflate(true)
                    .build(); // we always offer: a node server without the extension declines
            try (WebSocket ws = WebSocketClient.connect(URI.create("ws://127.0.0.1:" + port + "/"), options)) {
                assertEquals(deflate, ws.compressed());
                ws.sendText("hello node");
                assertEquals("hello node", ws.receive().text());
                String text = "the same words again and again, ".repeat(5000);
                ws.sendText(text);
                assertEquals(text, ws.receive().text(), "compressed by each side, inflated by the other");
                byte[] big = new byte[200_000];
                new java.util.Random(5).nextBytes(big);
                ws.sendBinary(big);
                WebSocketMessage back = ws.receive();
                assertArrayEquals(big, back.bytes());
                List<String> many = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    ws.sendText("m" + i);
                }
                for (int i = 0; i < 100; i++) {
                    many.add(ws.receive().text());
                }
                assertEquals("m99", many.get(99));
                ws.sendText("close-me");
                assertNull(ws.receive(), "node closed");
                assertEquals(4001, ws.closeCode());
                assertEquals("node says bye", ws.closeReason());
            }
        } finally {
            p.getOutputStream().close(); // ends the node server
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }
}

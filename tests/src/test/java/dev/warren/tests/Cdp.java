package dev.warren.tests;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Headless Chromium driven over the DevTools protocol with the JDK's own WebSocket client: one page,
 * {@code evaluate} and {@code screenshot}. No browser-automation library.
 */
final class Cdp implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");

    private final Process browser;
    private final WebSocket page;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonObject>> pending = new ConcurrentHashMap<>();

    private Cdp(Process browser, WebSocket page) {
        this.browser = browser;
        this.page = page;
    }

    /** Starts Chromium headless at {@code width x height} and opens {@code url} in a page. */
    static Cdp open(Path chromium, Path profile, String url, int width, int height) throws Exception {
        Process p = new ProcessBuilder(
                        chromium.toString(),
                        "--headless",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-dev-shm-usage",
                        "--no-first-run",
                        "--hide-scrollbars",
                        "--remote-debugging-address=127.0.0.1",
                        "--remote-debugging-port=0",
                        "--user-data-dir=" + profile,
                        "--window-size=" + width + "," + height,
                        "about:blank")
                .redirectErrorStream(true)
                .start();
        String browserWs = null;
        StringBuilder log = new StringBuilder();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        for (String l; (l = r.readLine()) != null; ) {
            log.append(l).append('\n');
            Matcher m = LISTENING.matcher(l);
            if (m.find()) {
                browserWs = m.group(1);
                break;
            }
        }
        if (browserWs == null) {
            p.destroyForcibly();
            throw new IllegalStateException("chromium did not start its DevTools endpoint:\n" + log);
        }
        Thread.ofPlatform().daemon().name("chromium output").start(() -> {
            try {
                r.transferTo(java.io.Writer.nullWriter());
            } catch (IOException ignored) {
                // the browser ended
            }
        });
        URI ws = URI.create(browserWs);
        String http = "http://" + ws.getHost() + ":" + ws.getPort();
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<String> target = client.send(
                HttpRequest.newBuilder(URI.create(http + "/json/new?" + url))
                        .PUT(HttpRequest.BodyPublishers.noBody())
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (target.statusCode() != 200) {
            p.destroyForcibly();
            throw new IllegalStateException(
                    "chromium refused a new page: " + target.statusCode() + " " + target.body());
        }
        String pageWs = JsonParser.parseString(target.body())
                .getAsJsonObject()
                .get("webSocketDebuggerUrl")
                .getAsString();
        Cdp[] self = new Cdp[1];
        StringBuilder frame = new StringBuilder();
        WebSocket socket = client.newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(30))
                .buildAsync(URI.create(pageWs), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        frame.append(data);
                        if (last) {
                            JsonObject msg =
                                    JsonParser.parseString(frame.toString()).getAsJsonObject();
                            frame.setLength(0);
                            if (msg.has("id") && self[0] != null) {
                                CompletableFuture<JsonObject> f =
                                        self[0].pending.remove(msg.get("id").getAsInt());
                                if (f != null) {
                                    f.complete(msg);
                                }
                            }
                        }
                        webSocket.request(1);
                        return null;
                    }
                })
                .get(30, TimeUnit.SECONDS);
        self[0] = new Cdp(p, socket);
        return self[0];
    }

    JsonObject call(String method, JsonObject params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonObject> f = new CompletableFuture<>();
        pending.put(id, f);
        JsonObject msg = new JsonObject();
        msg.addProperty("id", id);
        msg.addProperty("method", method);
        msg.add("params", params);
        page.sendText(msg.toString(), true).get(30, TimeUnit.SECONDS);
        JsonObject answer = f.get(60, TimeUnit.SECONDS);
        if (answer.has("error")) {
            throw new IllegalStateException(method + " failed: " + answer.get("error"));
        }
        return answer.getAsJsonObject("result");
    }

    /** The value of a JavaScript expression in the page (JSON-serialisable values only). */
    JsonElement evaluate(String expression) throws Exception {
        JsonObject p = new JsonObject();
        p.addProperty("expression", expression);
        p.addProperty("returnByValue", true);
        JsonObject result = call("Runtime.evaluate", p);
        if (result.has("exceptionDetails")) {
            throw new IllegalStateException("evaluating " + expression + ": " + result.get("exceptionDetails"));
        }
        JsonObject value = result.getAsJsonObject("result");
        return value.has("value") ? value.get("value") : com.google.gson.JsonNull.INSTANCE;
    }

    /** A PNG of the whole page. */
    byte[] screenshot() throws Exception {
        JsonObject p = new JsonObject();
        p.addProperty("format", "png");
        p.addProperty("captureBeyondViewport", true);
        JsonElement size = evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]");
        JsonObject clip = new JsonObject();
        clip.addProperty("x", 0);
        clip.addProperty("y", 0);
        clip.addProperty("width", size.getAsJsonArray().get(0).getAsInt());
        clip.addProperty("height", size.getAsJsonArray().get(1).getAsInt());
        clip.addProperty("scale", 1);
        p.add("clip", clip);
        return Base64.getDecoder()
                .decode(call("Page.captureScreenshot", p).get("data").getAsString());
    }

    @Override
    public void close() {
        page.abort();
        // Chromium's helpers (renderer, GPU, crash handler) are processes of their own that may still
        // write into the profile directory after the main one ends; they are listed before it goes
        // (they are re-parented after) and each one waited for, so the test's temporary directory can go.
        java.util.List<ProcessHandle> helpers = browser.descendants().toList();
        browser.destroy();
        try {
            if (!browser.waitFor(10, TimeUnit.SECONDS)) {
                browser.destroyForcibly();
            }
            for (ProcessHandle h : helpers) {
                h.destroy();
            }
            for (ProcessHandle h : helpers) {
                try {
                    h.onExit().get(10, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    h.destroyForcibly();
                }
            }
        } catch (InterruptedException e) {
            browser.destroyForcibly();
            helpers.forEach(ProcessHandle::destroyForcibly);
            Thread.currentThread().interrupt();
        }
    }
}

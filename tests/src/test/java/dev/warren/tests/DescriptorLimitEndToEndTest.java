package dev.warren.tests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code ./http_server} in a process with few file descriptors ({@code ulimit -n}), flooded with more
 * connections than it has descriptors: by default it stops accepting before it runs out, and when it is
 * told to accept more than it can, it backs off and says so once, with a count, instead of logging a
 * stack trace every 20 ms; either way, every client is served once the flood ebbs.
 */
class DescriptorLimitEndToEndTest {
    private static final int NOFILE = 256;
    private static final int CLIENTS = 300;

    @Test
    void byDefaultTheServerStopsAcceptingBeforeItRunsOutOfDescriptors() throws Exception {
        String descriptors = "not read";
        DemoProcess server = DemoProcess.startWithDescriptorLimit(NOFILE, "http_server", "0");
        try {
            int port = Integer.parseInt(server.await("listening on http://127.0.0.1:(\\d+)/", 30));
            List<Socket> clients = connect(port, CLIENTS); // more than the limit: the rest wait in the backlog
            try {
                Socket first = clients.get(0);
                assertEquals("Hello, flood!", ask(first, "/hello/flood"));
                // the acceptor takes connections up to the limit, and there it stops: no descriptor runs out
                Pattern active = Pattern.compile("\"active\":(\\d+),"); // /stats is JSON
                long[] seen = {-1, -2};
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    Matcher m = active.matcher(ask(first, "/stats"));
                    assertTrue(m.find());
                    seen[1] = seen[0];
                    seen[0] = Long.parseLong(m.group(1));
                    return seen[0] == seen[1]; // steady: the acceptor stopped
                });
                assertTrue(seen[0] > 16 && seen[0] < CLIENTS, "active connections: " + seen[0]);
                descriptors = descriptorsOf(server.process.pid());
                // as connections close, the waiting ones are accepted and served, in turn
                for (Socket s : clients.subList(1, CLIENTS / 2)) {
                    s.close();
                }
                for (Socket s : clients.subList(CLIENTS / 2, CLIENTS)) {
                    assertEquals("Hello, flood!", ask(s, "/hello/flood"));
                }
            } finally {
                closeAll(clients);
            }
        } finally {
            server.close();
        }
        String err = server.stderrAfterExit();
        assertTrue(
                !err.contains("accept failed") && !err.contains("Too many open files"),
                err + "\nthe server's descriptors at the limit: " + descriptors);
    }

    /** What a process's open descriptors are, by kind, from /proc (for a failure message). */
    private static String descriptorsOf(long pid) {
        java.util.Map<String, Integer> kinds = new java.util.TreeMap<>();
        try (var fds = java.nio.file.Files.list(java.nio.file.Path.of("/proc/" + pid + "/fd"))) {
            fds.forEach(fd -> {
                String target;
                try {
                    target = java.nio.file.Files.readSymbolicLink(fd).toString().replaceAll("[0-9]+", "N");
                } catch (IOException e) {
                    target = "?";
                }
                kinds.merge(target, 1, Integer::sum);
            });
        } catch (IOException e) {
            return "unreadable: " + e;
        }
        return kinds.toString();
    }

    @Test
    void acceptingMoreThanTheDescriptorsAllowBacksOffAndWarnsOncePerPeriodWithACount() throws Exception {
        DemoProcess server =
                DemoProcess.startWithDescriptorLimit(NOFILE, "http_server", "0", "--max-connections", "100000");
        long seconds;
        try {
            int port = Integer.parseInt(server.await("listening on http://127.0.0.1:(\\d+)/", 30));
            long start = System.nanoTime();
            List<Socket> clients = connect(port, CLIENTS); // the server runs out of descriptors
            try {
                assertEquals("Hello, flood!", ask(clients.get(0), "/hello/flood"));
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> server.stderr.get().contains("Too many open files"));
                for (Socket s : clients.subList(1, CLIENTS / 2)) {
                    s.close();
                }
                for (Socket s : clients.subList(CLIENTS / 2, CLIENTS)) {
                    assertEquals("Hello, flood!", ask(s, "/hello/flood")); // served once descriptors are free again
                }
            } finally {
                closeAll(clients);
            }
            seconds = (System.nanoTime() - start) / 1_000_000_000L;
        } finally {
            server.close();
        }
        String err = server.stderrAfterExit();
        Matcher m = Pattern.compile("accept failed \\(java.io.IOException: Too many open files\\)")
                .matcher(err);
        int warnings = 0;
        while (m.find()) {
            warnings++;
        }
        assertTrue(warnings >= 1, "the failure was never reported: " + err);
        // one warning per 10 s at most (the first one at once), and no stack trace at WARN
        assertTrue(warnings <= 1 + seconds / 10, warnings + " warnings in " + seconds + " s: " + err);
        assertTrue(!err.contains("\tat dev.warren"), "a stack trace in the log: " + err);
    }

    private static List<Socket> connect(int port, int n) throws IOException {
        List<Socket> clients = new ArrayList<>(n);
        try {
            for (int i = 0; i < n; i++) {
                Socket s = new Socket();
                s.connect(new InetSocketAddress("127.0.0.1", port), 10_000); // the kernel's backlog takes it
                s.setSoTimeout(60_000);
                clients.add(s);
            }
        } catch (IOException e) {
            closeAll(clients);
            throw e;
        }
        return clients;
    }

    /** One keep-alive GET of {@code path}; returns the body, stripped. */
    private static String ask(Socket s, String path) throws IOException {
        s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed before the answer's head ended: " + head);
            }
            head.append((char) b);
        }
        Matcher len = Pattern.compile("Content-Length: (\\d+)").matcher(head);
        assertTrue(len.find(), head.toString());
        byte[] body = in.readNBytes(Integer.parseInt(len.group(1)));
        return new String(body, StandardCharsets.UTF_8).strip();
    }

    private static void closeAll(List<Socket> clients) {
        for (Socket s : clients) {
            try {
                s.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}

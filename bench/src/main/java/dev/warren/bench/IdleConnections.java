package dev.warren.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Memory per idle keep-alive connection of an {@link HttpPeer}: opens N connections, sends one
 * {@code GET /} on each and reads the answer, leaves them all open and idle, then compares the server's
 * heap after GC ({@code GET /mem}) and its RSS ({@code /proc/PID/status}) with the figures before.
 *
 * <p>{@code java ... dev.warren.bench.IdleConnections PORT SERVER_PID N [SETTLE_SECONDS]}: the second
 * measurement is taken SETTLE_SECONDS (default 3) after the last connection was opened, so that all of
 * them are idle, not just opened.
 */
public final class IdleConnections {
    private IdleConnections() {}

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        long pid = Long.parseLong(args[1]);
        int n = Integer.parseInt(args[2]);
        long heap0 = mem(port);
        long rss0 = rss(pid);
        List<Socket> open = new ArrayList<>(n);
        byte[] get = "GET / HTTP/1.1\r\nHost: bench\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
        try {
            for (int i = 0; i < n; i++) {
                Socket s = new Socket("127.0.0.1", port);
                open.add(s);
                s.getOutputStream().write(get);
                readResponse(s.getInputStream());
            }
            Thread.sleep(1000L * (args.length > 3 ? Integer.parseInt(args[3]) : 3)); // let them all become idle
            long heap1 = mem(port);
            long rss1 = rss(pid);
            System.out.printf(
                    Locale.ROOT,
                    "%d idle keep-alive connections: heap %+.0f bytes/connection, RSS %+.0f bytes/connection"
                            + " (heap %d -> %d, RSS %d -> %d)%n",
                    n,
                    (heap1 - heap0) / (double) n,
                    (rss1 - rss0) / (double) n,
                    heap0,
                    heap1,
                    rss0,
                    rss1);
        } finally {
            for (Socket s : open) {
                s.close();
            }
        }
    }

    private static long mem(int port) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.getOutputStream()
                    .write("GET /mem HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n"
                            .getBytes(StandardCharsets.ISO_8859_1));
            return Long.parseLong(readResponse(s.getInputStream()).strip());
        }
    }

    private static long rss(long pid) throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (l.startsWith("VmRSS:")) {
                return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IOException("no VmRSS for pid " + pid);
    }

    /** Reads one response with a Content-Length body; returns the body. */
    private static String readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed inside a response head");
            }
            head.write(b);
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3))
                    ? state + 1
                    : 0;
        }
        int length = 0;
        for (String l : head.toString(StandardCharsets.ISO_8859_1).split("\r\n", -1)) {
            if (l.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(l.substring(15).strip());
            }
        }
        return new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
    }
}

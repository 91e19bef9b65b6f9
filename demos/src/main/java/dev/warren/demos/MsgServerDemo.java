package dev.warren.demos;

import dev.warren.config.WarrenConfig;
import dev.warren.net.frame.FrameFormat;
import dev.warren.net.frame.MessageHandler;
import dev.warren.net.frame.MessageServer;
import dev.warren.net.frame.MessageServerStats;
import java.io.PrintStream;
import java.util.Locale;

/**
 * {@code ./msg_server PORT [--format buffstreams|fixed32] [--max-size N] [--echo]}: a
 * {@link MessageServer} that counts messages and prints msg/s and MB/s once a second; with
 * {@code --echo} it sends every message back unchanged. Runs until interrupted (Ctrl-C). PORT 0 picks
 * a free port, printed at start.
 */
public final class MsgServerDemo {
    static final String USAGE = """
            usage: msg_server PORT [--format buffstreams|fixed32] [--max-size N] [--echo] [--bind ADDR]
                              [--tls CERT KEY]
              PORT        0..65535 (0: any free port, printed at start)
              --format    the frame format (default buffstreams: BuffStreams-compatible varint header)
              --max-size  the largest message in bytes (default 4096; fixes the buffstreams header size)
              --echo      send every message back unchanged (default: count and drop)
              --bind      the address to listen on (default every address)
              --tls       TLS (1.3 and 1.2) on every connection: CERT a PEM certificate chain, KEY its
                          PKCS#8 PEM private key (RSA or EC); clients connect with msg_client --tls""" + "\n" + AdminOption.USAGE + "\n" + ConsoleOption.USAGE + "\n" + ConfigOption.USAGE;

    private MsgServerDemo() {}

    static int run(String[] args) throws InterruptedException {
        return run(args, System.out, System.err);
    }

    /** Runs the demo until interrupted; returns the exit code (2 for bad arguments). */
    public static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
        MessageServer server;
        try {
            server = start(args, out);
        } catch (IllegalArgumentException e) {
            err.println("msg_server: " + e.getMessage());
            err.println(USAGE);
            return 2;
        } catch (java.io.UncheckedIOException e) {
            err.println("msg_server: " + e.getMessage());
            return 1;
        }
        GracefulStop.install("msg_server", () -> {
            out.println("msg_server: shutting down (finishing messages in flight, at most 5 s)...");
            long t0 = System.nanoTime();
            server.close();
            MessageServerStats st = server.stats();
            out.printf(
                    Locale.ROOT,
                    "msg_server: stopped in %d ms; %,d messages in, %,d out, %d connections%n",
                    (System.nanoTime() - t0) / 1_000_000,
                    st.messagesIn(),
                    st.messagesOut(),
                    st.tcp().accepted());
        });
        try (server) {
            report(server, out);
        }
        return 0;
    }

    /**
     * Parses {@code args} and starts the server (the caller closes it).
     *
     * @throws IllegalArgumentException naming the bad argument
     */
    public static MessageServer start(String[] args, PrintStream out) {
        if (args.length == 0) {
            throw new IllegalArgumentException("PORT is missing");
        }
        int port = MsgArgs.port(args[0], true);
        String format = "buffstreams";
        int maxSize = 4096;
        boolean formatSeen = false;
        boolean echo = false;
        String bind = null;
        javax.net.ssl.SSLContext tls = null;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--format" -> {
                    format = MsgArgs.formatName(MsgArgs.value(args, i++));
                    formatSeen = true;
                }
                case "--max-size" -> {
                    maxSize = MsgArgs.maxSize(MsgArgs.value(args, i++));
                    formatSeen = true;
                }
                case "--echo" -> echo = true;
                case "--bind" -> bind = MsgArgs.value(args, i++);
                case "--tls" -> {
                    if (i + 2 >= args.length) {
                        throw new IllegalArgumentException("--tls needs a certificate file and a key file (PEM)");
                    }
                    try {
                        tls = dev.warren.net.TlsContexts.fromPem(
                                java.nio.file.Path.of(args[i + 1]), java.nio.file.Path.of(args[i + 2]));
                    } catch (java.io.IOException e) {
                        throw new IllegalArgumentException("--tls: " + e.getMessage(), e);
                    }
                    i += 2;
                }
                default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
            }
        }
        FrameFormat f = MsgArgs.format(format, maxSize);
        MessageHandler handler = echo ? (conn, payload) -> conn.reply(payload) : (conn, payload) -> {};
        // warren.message-servers.msg_server of --config, under what the command line says
        WarrenConfig config = ConfigOption.current();
        MessageServer.Builder b = config.has("message-servers", "msg_server")
                ? config.messageServer("msg_server")
                : MessageServer.builder().name("msg_server");
        b.port(port).handler(handler);
        if (formatSeen
                || !(ConfigOption.sets("message-servers", "msg_server", "format")
                        || ConfigOption.sets("message-servers", "msg_server", "max-message-size"))) {
            b.format(f);
        }
        if (bind != null) {
            b.bindAddress(bind);
        }
        if (tls != null) {
            b.listener(b.listener().withTls(dev.warren.net.TlsOptions.of(tls)));
        }
        MessageServer server = b.start();
        out.printf(
                Locale.ROOT,
                "msg_server listening on %s:%d, %s, %s%s%n",
                server.localAddress().getAddress().getHostAddress(),
                server.port(),
                f,
                echo ? "echo" : "sink",
                tls != null ? ", TLS" : "");
        out.flush();
        return server;
    }

    private static void report(MessageServer server, PrintStream out) throws InterruptedException {
        MessageServerStats prev = server.stats();
        long prevAt = System.nanoTime();
        while (!Thread.currentThread().isInterrupted()) {
            Thread.sleep(1000);
            MessageServerStats now = server.stats();
            long at = System.nanoTime();
            double secs = (at - prevAt) / 1e9;
            long msgs = now.messagesIn() - prev.messagesIn();
            long bytes = now.tcp().bytesIn() - prev.tcp().bytesIn();
            long bad =
                    now.badFrames().values().stream().mapToLong(Long::longValue).sum();
            out.printf(
                    Locale.ROOT,
                    "%,12.0f msg/s %9.2f MB/s   total %,d msgs, %d connections, %d bad frames%n",
                    msgs / secs,
                    bytes / secs / 1e6,
                    now.messagesIn(),
                    now.tcp().active(),
                    bad);
            out.flush();
            prev = now;
            prevAt = at;
        }
    }
}

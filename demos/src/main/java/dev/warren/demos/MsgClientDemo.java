package dev.warren.demos;

import dev.warren.net.frame.FrameFormat;
import dev.warren.net.frame.MessageClient;
import dev.warren.tasklets.TaskletScope;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code ./msg_client HOST PORT [-n COUNT] [-s SIZE] [-c CONNECTIONS] [--format ...] [--max-size N]
 * [--echo]}: sends COUNT messages of SIZE bytes on each of CONNECTIONS {@link MessageClient}s as fast as
 * the server takes them and prints msg/s and MB/s. With {@code --echo} every message must come back: each
 * reply is checked byte for byte against what was sent (messages carry their sequence number and a
 * pattern derived from it), and the exit code is 1 on any mismatch or missing reply.
 */
public final class MsgClientDemo {
    static final String USAGE = """
            usage: msg_client HOST PORT [-n COUNT] [-s SIZE] [-c CONNECTIONS] [--format buffstreams|fixed32]
                              [--max-size N] [--echo] [--tls] [--ca FILE]
              -n COUNT        messages per connection (default 1000000)
              -s SIZE         bytes per message, 0..max-size (default 110)
              -c CONNECTIONS  connections, 1..10000 (default 1)
              --format        must match the server (default buffstreams)
              --max-size      must match the server (default 4096)
              --echo          expect every message back and check it byte for byte
              --tls           connect with TLS (the server runs msg_server --tls), trusting the JDK's CAs
              --ca FILE       with TLS, trust only the PEM certificates in FILE (implies --tls)""" + "\n" + AdminOption.USAGE + "\n" + ConsoleOption.USAGE + "\n" + ConfigOption.USAGE;

    /** How long the echo check waits for replies once no reply has arrived for this long. */
    private static final Duration STALL = Duration.ofSeconds(10);

    private MsgClientDemo() {}

    static int run(String[] args) throws InterruptedException {
        return run(args, System.out, System.err);
    }

    /** The parsed arguments; {@code tls} null for plaintext. */
    record Options(
            String host,
            int port,
            long count,
            int size,
            int connections,
            FrameFormat format,
            boolean echo,
            dev.warren.net.TlsOptions tls) {}

    /** Parses the arguments; throws {@link IllegalArgumentException} naming the bad one. */
    static Options parse(String[] args) {
        if (args.length < 2) {
            throw new IllegalArgumentException(args.length == 0 ? "HOST and PORT are missing" : "PORT is missing");
        }
        String host = args[0];
        int port = MsgArgs.port(args[1], false);
        long count = 1_000_000;
        int size = 110;
        int connections = 1;
        String format = "buffstreams";
        int maxSize = 4096;
        boolean echo = false;
        boolean tls = false;
        String ca = null;
        for (int i = 2; i < args.length; i++) {
            switch (args[i]) {
                case "-n" -> count = MsgArgs.range("COUNT", MsgArgs.value(args, i++), 1, Integer.MAX_VALUE);
                case "-s" -> size = MsgArgs.range("SIZE", MsgArgs.value(args, i++), 0, Integer.MAX_VALUE);
                case "-c" -> connections = MsgArgs.range("CONNECTIONS", MsgArgs.value(args, i++), 1, 10_000);
                case "--format" -> format = MsgArgs.formatName(MsgArgs.value(args, i++));
                case "--max-size" -> maxSize = MsgArgs.maxSize(MsgArgs.value(args, i++));
                case "--echo" -> echo = true;
                case "--tls" -> tls = true;
                case "--ca" -> ca = MsgArgs.value(args, i++);
                default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
            }
        }
        if (size > maxSize) {
            throw new IllegalArgumentException("SIZE " + size + " is above --max-size " + maxSize);
        }
        dev.warren.net.TlsOptions t = null;
        if (ca != null) {
            try {
                t = dev.warren.net.TlsOptions.of(dev.warren.net.TlsContexts.trusting(java.nio.file.Path.of(ca)));
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("--ca: " + e.getMessage(), e);
            }
        } else if (tls) {
            t = dev.warren.net.TlsOptions.defaultClient();
        }
        return new Options(host, port, count, size, connections, MsgArgs.format(format, maxSize), echo, t);
    }

    /** Runs the demo; returns the exit code: 0 ok, 1 mismatch/loss/failure, 2 bad arguments. */
    public static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("msg_client: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        return run(o, out, err);
    }

    /** The payload of message {@code seq} on connection {@code conn}: seq (if it fits), then a pattern. */
    static byte[] message(int conn, long seq, int size) {
        byte[] b = new byte[size];
        int from = 0;
        if (size >= 8) {
            ByteBuffer.wrap(b).putLong(seq);
            from = 8;
        }
        for (int i = from; i < size; i++) {
            b[i] = pattern(conn, seq, i);
        }
        return b;
    }

    private static byte pattern(int conn, long seq, int i) {
        return (byte) (seq * 31 + i * 7L + conn);
    }

    /** Checks the echo of message {@code seq} (replies come back in order on each connection). */
    static boolean matches(int conn, long seq, int size, ByteBuffer p) {
        if (p.remaining() != size) {
            return false;
        }
        int at = p.position();
        int from = 0;
        if (size >= 8) {
            if (p.getLong(at) != seq) {
                return false;
            }
            from = 8;
        }
        for (int i = from; i < size; i++) {
            if (p.get(at + i) != pattern(conn, seq, i)) {
                return false;
            }
        }
        return true;
    }

    /** Per-connection echo bookkeeping, touched only by that client's reader tasklet (plus reads at the end). */
    private static final class EchoCheck {
        final int conn;
        final int size;
        final AtomicLong next = new AtomicLong();
        final LongAdder mismatched = new LongAdder();

        EchoCheck(int conn, int size) {
            this.conn = conn;
            this.size = size;
        }

        void onReply(ByteBuffer p) {
            if (!matches(conn, next.get(), size, p)) {
                mismatched.increment();
            }
            next.incrementAndGet();
        }
    }

    static int run(Options o, PrintStream out, PrintStream err) throws InterruptedException {
        List<MessageClient> clients = new ArrayList<>();
        List<EchoCheck> checks = new ArrayList<>();
        long total = o.count() * o.connections();
        long start;
        long sentAt;
        try {
            for (int k = 0; k < o.connections(); k++) {
                EchoCheck check = new EchoCheck(k, o.size());
                checks.add(check);
                MessageClient.Builder b = MessageClient.builder(o.host(), o.port())
                        .name("msg_client " + k)
                        .format(o.format())
                        .queueCapacity(o.connections() > 100 ? 256 : 8192);
                if (o.tls() != null) {
                    b.connectOptions(dev.warren.net.ConnectOptions.defaults().withTls(o.tls()));
                }
                if (o.echo()) {
                    b.onMessage(check::onReply);
                }
                clients.add(b.start());
            }
            for (MessageClient c : clients) {
                if (!c.awaitUp(Duration.ofSeconds(10))) {
                    err.println("msg_client: cannot connect to " + o.host() + ":" + o.port());
                    return 1;
                }
            }
            start = System.nanoTime();
            try (var senders = TaskletScope.failFast("msg_client senders").open()) {
                for (int k = 0; k < clients.size(); k++) {
                    MessageClient c = clients.get(k);
                    int conn = k;
                    senders.fork("sender " + k, () -> {
                        for (long i = 0; i < o.count(); i++) {
                            c.send(message(conn, i, o.size()));
                        }
                    });
                }
                senders.join();
            }
            for (MessageClient c : clients) {
                c.awaitIdle(Duration.ofSeconds(60));
            }
            sentAt = System.nanoTime();
            if (o.echo()) {
                waitForEchoes(checks, o.count());
            }
        } finally {
            for (MessageClient c : clients) {
                c.close();
            }
        }
        long end = System.nanoTime();
        double sendSecs = (sentAt - start) / 1e9;
        long frameBytes = total * o.format().frameSize(o.size());
        out.printf(
                Locale.ROOT,
                "sent %,d messages of %d bytes on %d connection%s in %.3f s: %,.0f msg/s, %.2f MB/s%n",
                total,
                o.size(),
                o.connections(),
                o.connections() == 1 ? "" : "s",
                sendSecs,
                total / sendSecs,
                frameBytes / sendSecs / 1e6);
        if (!o.echo()) {
            return 0;
        }
        long received = 0;
        long mismatched = 0;
        for (EchoCheck c : checks) {
            received += c.next.get();
            mismatched += c.mismatched.sum();
        }
        long missing = total - received;
        double echoSecs = (end - start) / 1e9;
        out.printf(
                Locale.ROOT,
                "echo: %,d replies in %.3f s (%,.0f msg/s), %,d mismatched, %,d missing%n",
                received,
                echoSecs,
                received / echoSecs,
                mismatched,
                missing);
        if (mismatched > 0 || missing != 0) {
            err.println("msg_client: echo check FAILED: " + mismatched + " mismatched, " + missing + " missing");
            return 1;
        }
        return 0;
    }

    /** Waits until every connection got all its replies, or no reply came for {@link #STALL}. */
    private static void waitForEchoes(List<EchoCheck> checks, long perConnection) throws InterruptedException {
        long lastProgress = System.nanoTime();
        long lastSeen = -1;
        while (true) {
            long seen = 0;
            boolean done = true;
            for (EchoCheck c : checks) {
                seen += c.next.get();
                done &= c.next.get() >= perConnection;
            }
            if (done) {
                return;
            }
            if (seen != lastSeen) {
                lastSeen = seen;
                lastProgress = System.nanoTime();
            } else if (System.nanoTime() - lastProgress > STALL.toNanos()) {
                return; // replies stopped coming: the rest are missing
            }
            Thread.sleep(5);
        }
    }
}

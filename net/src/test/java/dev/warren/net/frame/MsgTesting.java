package dev.warren.net.frame;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.net.ConnectOptions;
import dev.warren.net.Connection;
import dev.warren.net.TcpClient;
import dev.warren.tasklets.TaskletInfo;
import dev.warren.tasklets.Tasklets;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/** Helpers shared by the message server/client tests. */
final class MsgTesting {
    static final Duration WAIT = Duration.ofSeconds(20);
    private static final AtomicInteger IDS = new AtomicInteger();

    private MsgTesting() {}

    static {
        warmSocketClasses();
    }

    /**
     * Initialises the JDK's socket classes on this (platform) thread. The first {@code new Socket()}
     * runs {@code SocksSocketImpl}'s class initialisation; virtual threads that create their first
     * sockets at the same moment wait for it holding their carriers (a JVM class-init wait, not our
     * code blocking), which the pinning guard would report.
     */
    static void warmSocketClasses() {
        try {
            new java.net.Socket().close();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A name no other test uses, so leftover tasklets can be found by it. */
    static String unique(String prefix) {
        return prefix + "-" + IDS.incrementAndGet();
    }

    static MessageServer.Builder local(String name) {
        return MessageServer.builder()
                .name(name)
                .bindAddress("127.0.0.1")
                .port(0)
                .drainTimeout(Duration.ofSeconds(2));
    }

    static final MessageHandler ECHO = (conn, payload) -> conn.reply(payload);

    static Connection rawConnect(MessageServer s) throws IOException {
        return TcpClient.connect(
                "127.0.0.1", s.port(), ConnectOptions.defaults().withReadTimeout(WAIT));
    }

    static void assertNoTaskletNamed(String part) {
        assertTrue(
                Tasklets.snapshot().tasklets().stream().map(TaskletInfo::name).noneMatch(n -> n.contains(part)),
                () -> "tasklets of '" + part + "' left:\n" + Tasklets.snapshot().toText());
    }

    /** A payload whose bytes depend on {@code seq}, starting with {@code seq} as a big-endian long. */
    static byte[] message(long seq, int size) {
        byte[] b = new byte[Math.max(size, 8)];
        ByteBuffer.wrap(b).putLong(seq);
        for (int i = 8; i < b.length; i++) {
            b[i] = (byte) (seq * 31 + i);
        }
        return b;
    }

    /** The sequence number of a {@link #message}, after checking every other byte; -1 if a byte is wrong. */
    static long check(ByteBuffer payload) {
        int p = payload.position();
        long seq = payload.getLong(p);
        for (int i = 8; i < payload.remaining(); i++) {
            if (payload.get(p + i) != (byte) (seq * 31 + i)) {
                return -1;
            }
        }
        return seq;
    }
}

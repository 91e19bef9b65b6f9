package dev.warren.tasklets;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The child's side of the process supervisor ({@code ./supervise}): a Warren program started under it
 * tells it, every so often, that its scheduler still runs tasklets; when these heartbeats stop for the
 * supervisor's timeout, the supervisor writes a thread dump of the program and restarts it.
 *
 * <p>The supervisor sets two environment variables for its child: {@value #ENV_ADDRESS} (the loopback
 * address and UDP port it listens on, {@code 127.0.0.1:PORT}) and {@value #ENV_INTERVAL} (milliseconds
 * between two heartbeats). When they are present the runtime starts the heartbeat by itself the first
 * time it is used; nothing needs to be called. A program that wants its heartbeat before its first
 * tasklet calls {@link #startIfSupervised()} early in {@code main}.
 *
 * <p>The heartbeat is sent from a virtual thread that sleeps between beats. That is the point: when every
 * carrier thread is held (a pinned or busy-spinning tasklet, a deadlock in a {@code synchronized} block on
 * JDK 21-23) it cannot run, the heartbeats stop, and the hang is seen from outside the process, where
 * nothing inside it can be relied on. A datagram is {@code warren-heartbeat PID SEQ} in ASCII; it is sent
 * to loopback only, and a send that fails (the supervisor gone) is logged once and retried at the next
 * beat.
 *
 * <p>Thread-safe; {@link #startIfSupervised()} is idempotent.
 */
public final class SupervisorHeartbeat {
    /** The environment variable with the supervisor's heartbeat address, {@code 127.0.0.1:PORT}. */
    public static final String ENV_ADDRESS = "WARREN_SUPERVISOR_HEARTBEAT";
    /** The environment variable with the milliseconds between two heartbeats. */
    public static final String ENV_INTERVAL = "WARREN_SUPERVISOR_INTERVAL_MS";
    /** The first word of every heartbeat datagram. */
    public static final String MAGIC = "warren-heartbeat";

    private static final Logger LOG = LoggerFactory.getLogger(SupervisorHeartbeat.class);
    private static final AtomicBoolean STARTED = new AtomicBoolean();
    private static volatile Thread beating;

    private SupervisorHeartbeat() {}

    /**
     * Starts the heartbeat if this process runs under the supervisor (its environment variables are set);
     * does nothing otherwise, or if it has started already.
     *
     * @return true if the heartbeat runs (now or from an earlier call)
     * @throws IllegalStateException if the variables are set but malformed (naming the bad value): a
     *     program started by a supervisor that cannot be told it is alive would be killed as hung
     */
    public static boolean startIfSupervised() {
        return startFrom(System.getenv());
    }

    /** The runtime's own start: a malformed variable is logged, not thrown out of a class initialiser. */
    static void startFromRuntime() {
        try {
            startIfSupervised();
        } catch (IllegalStateException e) {
            LOG.error("not sending heartbeats to the supervisor: {}", e.getMessage());
        }
    }

    static boolean startFrom(Map<String, String> env) {
        String address = env.get(ENV_ADDRESS);
        if (address == null) {
            return false;
        }
        if (STARTED.get()) {
            return true;
        }
        InetSocketAddress target = parseAddress(address);
        long intervalMillis = parseInterval(env.get(ENV_INTERVAL));
        if (!STARTED.compareAndSet(false, true)) {
            return true;
        }
        // A bare virtual thread, not a tasklet: it must not appear in (or keep open) anyone's scope, and
        // it starts while the runtime's own classes may still be initialising.
        Thread.ofVirtual()
                .name("warren-supervisor-heartbeat")
                .start(() ->
                        beat(target, intervalMillis, ProcessHandle.current().pid()));
        LOG.debug("heartbeat to the supervisor at {} every {} ms", address, intervalMillis);
        return true;
    }

    /** Stops the heartbeat and waits for its thread (tests: a process keeps its heartbeat for life). */
    static void stop() throws InterruptedException {
        Thread t = beating;
        if (t != null) {
            t.interrupt();
            t.join();
            beating = null;
        }
        STARTED.set(false);
    }

    static InetSocketAddress parseAddress(String raw) {
        int colon = raw.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalStateException(ENV_ADDRESS + " must be HOST:PORT, was '" + raw + "'");
        }
        int port;
        try {
            port = Integer.parseInt(raw.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            throw new IllegalStateException(ENV_ADDRESS + " needs a port 1..65535, was '" + raw + "'");
        }
        InetSocketAddress a = new InetSocketAddress(raw.substring(0, colon), port);
        if (a.isUnresolved() || !a.getAddress().isLoopbackAddress()) {
            throw new IllegalStateException(ENV_ADDRESS + " must be a loopback address, was '" + raw + "'");
        }
        return a;
    }

    static long parseInterval(String raw) {
        if (raw == null) {
            return 1000;
        }
        long ms;
        try {
            ms = Long.parseLong(raw);
        } catch (NumberFormatException e) {
            ms = -1;
        }
        if (ms < 1 || ms > TimeUnit.HOURS.toMillis(1)) {
            throw new IllegalStateException(ENV_INTERVAL + " must be 1..3600000 milliseconds, was '" + raw + "'");
        }
        return ms;
    }

    private static void beat(InetSocketAddress target, long intervalMillis, long pid) {
        boolean warned = false;
        try (DatagramChannel ch = DatagramChannel.open()) {
            for (long seq = 0; ; seq++) {
                byte[] msg = (MAGIC + " " + pid + " " + seq).getBytes(StandardCharsets.US_ASCII);
                try {
                    ch.send(ByteBuffer.wrap(msg), target);
                    warned = false;
                } catch (ClosedByInterruptException e) {
                    return;
                } catch (IOException e) {
                    if (!warned) {
                        LOG.warn(
                                "heartbeat to the supervisor at {} failed (retrying every {} ms): {}",
                                target,
                                intervalMillis,
                                e.toString());
                        warned = true;
                    }
                }
                Thread.sleep(intervalMillis);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            LOG.error("the heartbeat to the supervisor stopped; it will restart this process as hung", e);
        }
    }
}

package dev.warren.tasklets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SupervisorHeartbeatTest {
    @AfterEach
    void stopBeating() throws InterruptedException {
        SupervisorHeartbeat.stop();
    }

    @Test
    void withoutTheSupervisorsVariablesNothingStarts() {
        assertFalse(SupervisorHeartbeat.startFrom(Map.of()));
    }

    @Test
    void malformedVariablesAreRefusedNamingTheValue() {
        assertEquals(
                "WARREN_SUPERVISOR_HEARTBEAT must be HOST:PORT, was 'nowhere'",
                assertThrows(IllegalStateException.class, () -> SupervisorHeartbeat.parseAddress("nowhere"))
                        .getMessage());
        assertEquals(
                "WARREN_SUPERVISOR_HEARTBEAT needs a port 1..65535, was '127.0.0.1:0'",
                assertThrows(IllegalStateException.class, () -> SupervisorHeartbeat.parseAddress("127.0.0.1:0"))
                        .getMessage());
        assertEquals(
                "WARREN_SUPERVISOR_HEARTBEAT must be a loopback address, was '8.8.8.8:9'",
                assertThrows(IllegalStateException.class, () -> SupervisorHeartbeat.parseAddress("8.8.8.8:9"))
                        .getMessage());
        assertEquals(
                "WARREN_SUPERVISOR_INTERVAL_MS must be 1..3600000 milliseconds, was 'soon'",
                assertThrows(IllegalStateException.class, () -> SupervisorHeartbeat.parseInterval("soon"))
                        .getMessage());
        assertEquals(1000, SupervisorHeartbeat.parseInterval(null));
    }

    @Test
    void heartbeatsCarryThePidAndACountingSequence() throws Exception {
        try (DatagramChannel supervisor =
                DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            int port = ((InetSocketAddress) supervisor.getLocalAddress()).getPort();
            Map<String, String> env =
                    Map.of(SupervisorHeartbeat.ENV_ADDRESS, "127.0.0.1:" + port, SupervisorHeartbeat.ENV_INTERVAL, "5");
            assertTrue(SupervisorHeartbeat.startFrom(env));
            assertTrue(SupervisorHeartbeat.startFrom(env), "idempotent");
            long pid = ProcessHandle.current().pid();
            long previous = -1;
            for (int i = 0; i < 3; i++) {
                ByteBuffer buf = ByteBuffer.allocate(128);
                supervisor.receive(buf);
                buf.flip();
                String[] words =
                        StandardCharsets.US_ASCII.decode(buf).toString().split(" ", -1);
                assertEquals(3, words.length);
                assertEquals("warren-heartbeat", words[0]);
                assertEquals(pid, Long.parseLong(words[1]));
                long seq = Long.parseLong(words[2]);
                assertTrue(seq > previous, "sequence " + seq + " after " + previous);
                previous = seq;
            }
        }
    }
}

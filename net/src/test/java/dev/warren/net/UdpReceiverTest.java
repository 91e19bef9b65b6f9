package dev.warren.net;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.tasklets.TaskletInfo;
import dev.warren.tasklets.Tasklets;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

class UdpReceiverTest {

    @Test
    void receivesDatagramsAndCountsThem() throws Exception {
        ConcurrentLinkedQueue<String> got = new ConcurrentLinkedQueue<>();
        UdpReceiver rx = UdpReceiver.builder()
                .name("udp-test")
                .bindAddress("127.0.0.1")
                .port(0)
                .receiveBufferSize(1 << 20)
                .maxDatagramSize(100)
                .handler((data, from) -> {
                    String s = StandardCharsets.UTF_8.decode(data).toString();
                    if (s.equals("throw")) {
                        throw new IllegalArgumentException("bad datagram on purpose");
                    }
                    got.add(s);
                })
                .start();
        try (rx;
                DatagramSocket tx = new DatagramSocket()) {
            InetSocketAddress to = new InetSocketAddress("127.0.0.1", rx.port());
            int n = 100;
            long bytes = 0;
            for (int i = 0; i < n; i++) {
                byte[] d = ("sensor" + i + " " + i * 1.5).getBytes(StandardCharsets.UTF_8);
                bytes += d.length;
                tx.send(new DatagramPacket(d, d.length, to));
            }
            tx.send(new DatagramPacket(new byte[101], 101, to)); // one byte over the maximum
            byte[] t = "throw".getBytes(StandardCharsets.UTF_8);
            tx.send(new DatagramPacket(t, t.length, to));
            await().atMost(TcpServerTest.WAIT).until(() -> rx.stats().handlerErrors() == 1);
            UdpStats st = rx.stats();
            assertEquals(n + 1, st.datagrams());
            assertEquals(bytes + t.length, st.bytes());
            assertEquals(1, st.oversize());
            assertEquals(n, got.size());
            assertTrue(got.contains("sensor7 10.5"));
            assertTrue(st.receiveBufferSize() >= 1 << 20, "SO_RCVBUF " + st.receiveBufferSize());
            if (Files.isReadable(Path.of("/proc/net/udp"))) {
                assertEquals(0, st.kernelDrops(), "the socket's row is found and nothing was dropped");
            }
            assertEquals(1L, st.toTree().get("oversize"));
        }
        assertTrue(Tasklets.snapshot().tasklets().stream()
                .map(TaskletInfo::name)
                .noneMatch(s -> s.startsWith("udp-test")));
    }

    static final String SAMPLE = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
              243: 00000000:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000   101        0 18925 2 0000000000000000 0
              583: 0100007F:270F 00000000:0000 07 00000000:00034000 00:00000000 00000000  1000        0 777001 2 0000000000000000 4211
             1012: 0100007F:2710 00000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 777002 2 0000000000000000 5
             1012: 0100007F:2710 00000000:0000 07 00000000:00000000 00:00000000 00000000  1001        0 888003 2 0000000000000000 99
            garbage line
            """;

    @Test
    void kernelDropsParsedFromProcNetUdp() {
        List<ProcNetUdp.Row> rows = ProcNetUdp.parse(SAMPLE);
        assertEquals(4, rows.size());
        assertEquals(new ProcNetUdp.Row(9999, 777001, 4211), rows.get(1));
        assertEquals(4211, ProcNetUdp.drops(rows, 9999, Set::of), "one socket on the port: no inode needed");
        assertEquals(5, ProcNetUdp.drops(rows, 10000, () -> Set.of(777002L)), "shared port: ours by inode");
        assertEquals(-1, ProcNetUdp.drops(rows, 10000, Set::of), "shared port, none of ours: unknown");
        assertEquals(-1, ProcNetUdp.drops(rows, 1234, Set::of), "no such port");
        assertEquals(
                List.of(),
                ProcNetUdp.parse("  sl  local_address rem_address   st\n 1: 0100007F:270F 0"),
                "a kernel without the drops column");
    }

    @Test
    void ipv6RowsParseToo() {
        String udp6 = """
                  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
                   12: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 4242 2 0000000000000000 17
                """;
        assertEquals(List.of(new ProcNetUdp.Row(8080, 4242, 17)), ProcNetUdp.parse(udp6));
    }
}

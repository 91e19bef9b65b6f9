package dev.warren.streaming.datapath.stages;

import dev.warren.net.UdpReceiver;
import dev.warren.net.UdpStats;
import dev.warren.streaming.datapath.Output;
import dev.warren.streaming.datapath.Role;
import dev.warren.streaming.datapath.SourceStage;
import dev.warren.streaming.datapath.Stage;
import dev.warren.streaming.datapath.StageContext;
import dev.warren.streaming.datapath.StageOptions;
import dev.warren.streaming.datapath.StageType;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * {@code (udpsock,port=9999[,rcvbuf=4m][,bind=ADDR])}: each datagram received is a block, pushed from the
 * receiver's tasklet. The socket is bound when the stage opens; datagrams wait in the socket's buffer
 * until the datapath runs. Datagrams the kernel dropped (a full receive buffer) are in the state
 * ({@code kernel_drops}).
 */
public final class UdpSock implements StageType {
    @Override
    public String name() {
        return "udpsock";
    }

    @Override
    public String info() {
        return "receives datagrams on port=N, one block each (rcvbuf=BYTES)";
    }

    @Override
    public Set<Role> roles() {
        return Set.of(Role.SOURCE);
    }

    @Override
    public void tryex(StageOptions o, Role role) {
        o.allowOnly("port", "expression", "rcvbuf", "bind");
        NetOptions.port(o);
        o.size("rcvbuf", 0, 0, 1 << 30);
        NetOptions.bind(o);
    }

    @Override
    public Stage newStage(StageOptions o, Role role) {
        return new Receiver(NetOptions.port(o), (int) o.size("rcvbuf", 0, 0, 1 << 30), NetOptions.bind(o));
    }

    static final class Receiver implements SourceStage {
        private final int port;
        private final int rcvbuf;
        private final InetAddress bind;
        private final CountDownLatch running = new CountDownLatch(1);
        private final CountDownLatch stopped = new CountDownLatch(1);
        private final byte[] buf = new byte[65507];
        private volatile UdpReceiver receiver;
        private volatile UdpStats last;
        private volatile Output out;

        Receiver(int port, int rcvbuf, InetAddress bind) {
            this.port = port;
            this.rcvbuf = rcvbuf;
            this.bind = bind;
        }

        @Override
        public void open(StageContext ctx) {
            UdpReceiver.Builder b = UdpReceiver.builder()
                    .name("datapath " + ctx.datapathId() + " udpsock")
                    .port(port)
                    .handler((data, from) -> datagram(data));
            if (rcvbuf > 0) {
                b.receiveBufferSize(rcvbuf);
            }
            if (bind != null) {
                b.bindAddress(bind);
            }
            receiver = b.start();
        }

        private void datagram(ByteBuffer data) throws InterruptedException {
            running.await();
            Output o = out;
            if (o == null) {
                return;
            }
            int n = data.remaining();
            data.get(buf, 0, n);
            o.emit(buf, 0, n);
        }

        @Override
        public void run(Output output) throws InterruptedException {
            out = output;
            running.countDown();
            try {
                stopped.await();
            } finally {
                closeReceiver();
            }
        }

        private void closeReceiver() {
            UdpReceiver r = receiver;
            if (r != null) {
                boolean interrupted = Thread.interrupted(); // the kernel's counters are read from a file
                try {
                    last = r.stats();
                    r.close();
                } finally {
                    if (interrupted) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        }

        @Override
        public void stop() {
            stopped.countDown();
        }

        @Override
        public void close() {
            running.countDown();
            closeReceiver();
        }

        @Override
        public Map<String, Object> state() {
            Map<String, Object> m = new LinkedHashMap<>();
            UdpReceiver r = receiver;
            m.put("port", r == null ? port : r.port());
            UdpStats s = last != null ? last : (r == null ? null : r.stats());
            if (s != null) {
                m.put("datagrams", s.datagrams());
                m.put("kernel_drops", s.kernelDrops());
            }
            return m;
        }
    }
}

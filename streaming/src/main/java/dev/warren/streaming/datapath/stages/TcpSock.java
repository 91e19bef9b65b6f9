package dev.warren.streaming.datapath.stages;

import dev.warren.net.Connection;
import dev.warren.net.TcpServer;
import dev.warren.net.TcpServerStats;
import dev.warren.net.frame.FrameException;
import dev.warren.net.frame.FrameFormat;
import dev.warren.net.frame.FrameReader;
import dev.warren.streaming.datapath.Output;
import dev.warren.streaming.datapath.Role;
import dev.warren.streaming.datapath.SourceStage;
import dev.warren.streaming.datapath.Stage;
import dev.warren.streaming.datapath.StageContext;
import dev.warren.streaming.datapath.StageOptions;
import dev.warren.streaming.datapath.StageType;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@code (tcpsock,port=5000[,framing=raw|buffstreams|fixed32][,max=4096][,block=64k][,bind=ADDR])}: a TCP
 * listener whose connections push what they receive: each read is a block (raw, the default; at most
 * {@code block} bytes), or each frame with {@code framing}. Streamline's {@code expression=5000} names the
 * port too. The port is bound when the stage opens (a taken port fails the request); connections wait
 * until the datapath runs. Connections take turns pushing (a lock per block), so the stages after it see
 * one block at a time; blocks of one connection keep their order. A bad frame closes that connection
 * as a protocol error (counted: {@code bad_frames}). At close the listener stops, connections get 1 s to
 * finish, then they are closed.
 */
public final class TcpSock implements StageType {
    @Override
    public String name() {
        return "tcpsock";
    }

    @Override
    public String info() {
        return "listens on port=N (or expression=N); blocks are reads, or frames with framing=buffstreams|fixed32";
    }

    @Override
    public Set<Role> roles() {
        return Set.of(Role.SOURCE);
    }

    @Override
    public void tryex(StageOptions o, Role role) {
        o.allowOnly("port", "expression", "framing", "max", "block", "bind");
        NetOptions.port(o);
        NetOptions.framing(o, "raw");
        FileStage.block(o);
        NetOptions.bind(o);
    }

    @Override
    public Stage newStage(StageOptions o, Role role) {
        return new Listener(NetOptions.port(o), NetOptions.framing(o, "raw"), FileStage.block(o), NetOptions.bind(o));
    }

    static final class Listener implements SourceStage {
        private final int port;
        private final FrameFormat format;
        private final int block;
        private final InetAddress bind;
        private final CountDownLatch running = new CountDownLatch(1);
        private final CountDownLatch stopped = new CountDownLatch(1);
        private final ReentrantLock turn = new ReentrantLock();
        private final LongAdder blocks = new LongAdder();
        private final LongAdder badFrames = new LongAdder();
        private volatile TcpServer server;
        private volatile Output out;

        Listener(int port, FrameFormat format, int block, InetAddress bind) {
            this.port = port;
            this.format = format;
            this.block = block;
            this.bind = bind;
        }

        @Override
        public void open(StageContext ctx) {
            TcpServer.Builder b = TcpServer.builder()
                    .name("datapath " + ctx.datapathId() + " tcpsock")
                    .port(port)
                    .drainTimeout(Duration.ofSeconds(1))
                    .handler(this::serve);
            if (bind != null) {
                b.bindAddress(bind);
            }
            server = b.start();
        }

        private void serve(Connection conn) throws Exception {
            running.await();
            Output o = out;
            if (o == null) {
                return; // stopped before the datapath ran
            }
            if (format == null) {
                byte[] buf = new byte[block];
                for (int n; (n = conn.readUpTo(buf, 0, buf.length)) > 0; ) {
                    push(o, buf, 0, n);
                }
                return;
            }
            FrameReader reader = FrameReader.of(conn.inputStream(), format);
            for (; ; ) {
                ByteBuffer v;
                try {
                    v = reader.readView();
                } catch (FrameException bad) {
                    badFrames.increment();
                    throw conn.protocolError("bad frame (" + bad.reason() + "): " + bad.getMessage());
                }
                if (v == null) {
                    return;
                }
                if (v.hasArray()) {
                    push(o, v.array(), v.arrayOffset() + v.position(), v.remaining());
                } else {
                    byte[] copy = new byte[v.remaining()];
                    v.get(copy);
                    push(o, copy, 0, copy.length);
                }
            }
        }

        private void push(Output o, byte[] a, int off, int len) throws InterruptedException {
            turn.lockInterruptibly();
            try {
                o.emit(a, off, len);
            } finally {
                turn.unlock();
            }
            blocks.increment();
        }

        @Override
        public void run(Output output) throws InterruptedException {
            out = output;
            running.countDown();
            try {
                stopped.await();
            } finally {
                // Connections still open finish (or are closed after 1 s) before this input ends.
                server.close();
            }
        }

        @Override
        public void stop() {
            stopped.countDown();
        }

        @Override
        public void close() {
            running.countDown();
            TcpServer s = server;
            if (s != null) {
                s.close();
            }
        }

        @Override
        public Map<String, Object> state() {
            Map<String, Object> m = new LinkedHashMap<>();
            TcpServer s = server;
            m.put("port", s == null ? port : s.port());
            if (s != null) {
                TcpServerStats st = s.stats();
                m.put("accepted", st.accepted());
                m.put("active", st.active());
                m.put("bytes_in", st.bytesIn());
            }
            m.put("blocks", blocks.sum());
            m.put("bad_frames", badFrames.sum());
            return m;
        }
    }
}

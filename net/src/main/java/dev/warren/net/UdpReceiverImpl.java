package dev.warren.net;

import dev.warren.tasklets.Fairness;
import dev.warren.tasklets.TaskletScope;
import dev.warren.tasklets.Tasklets;
import dev.warren.tasklets.observe.LogLimiter;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one {@link UdpReceiver}: a blocking {@link DatagramChannel} read by one tasklet into a direct
 * buffer (so the JDK needs no temporary copy), in the receiver's own supervising scope.
 */
final class UdpReceiverImpl implements UdpReceiver {
    private static final Logger LOG = LoggerFactory.getLogger(UdpReceiverImpl.class);

    /** Receivers started and not yet closed, for the sockets report and the metrics. */
    static final java.util.Set<UdpReceiverImpl> LIVE = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final String name;
    private final long startedMillis = System.currentTimeMillis();
    private final DatagramChannel channel;
    private final InetSocketAddress local;
    private final int maxDatagramSize;
    private final DatagramHandler handler;
    private final TaskletScope scope;
    private final LongAdder datagrams = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final LongAdder oversize = new LongAdder();
    private final LongAdder handlerErrors = new LongAdder();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final LogLimiter receiveFailures = new LogLimiter(TcpServerImpl.WARN_PERIOD);
    private final LogLimiter handlerFailures = new LogLimiter(TcpServerImpl.WARN_PERIOD);

    private UdpReceiverImpl(UdpReceiver.Builder b, DatagramChannel channel) throws IOException {
        this.channel = channel;
        this.local = (InetSocketAddress) channel.getLocalAddress();
        this.name = b.listener.name() + " " + ConnectionImpl.format(local);
        this.maxDatagramSize = b.maxDatagramSize;
        this.handler = b.handler;
        this.scope = TaskletScope.supervise(name).standalone().open();
    }

    static UdpReceiver start(UdpReceiver.Builder b) throws IOException {
        DatagramChannel ch = b.listener.bindAddress() instanceof Inet4Address
                ? DatagramChannel.open(StandardProtocolFamily.INET)
                : DatagramChannel.open();
        try {
            if (b.receiveBufferSize > 0) {
                ch.setOption(StandardSocketOptions.SO_RCVBUF, b.receiveBufferSize);
            }
            ch.bind(
                    b.listener.bindAddress() == null
                            ? new InetSocketAddress(b.listener.port())
                            : new InetSocketAddress(b.listener.bindAddress(), b.listener.port()));
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        PollerModeCheck.warnOnce();
        UdpReceiverImpl r = new UdpReceiverImpl(b, ch);
        r.scope.fork(r.name, r::receiveLoop);
        LIVE.add(r);
        NetObservability.started();
        return r;
    }

    private void receiveLoop() {
        ByteBuffer buf = ByteBuffer.allocateDirect(maxDatagramSize + 1);
        String hint = "udp " + ConnectionImpl.format(local);
        for (; ; ) {
            buf.clear();
            SocketAddress from;
            Object previous = Tasklets.blockingOn(hint);
            long start = System.nanoTime();
            try {
                from = channel.receive(buf);
            } catch (ClosedChannelException e) {
                return; // close(), or the tasklet was cancelled
            } catch (IOException e) {
                if (closing.get()) {
                    return;
                }
                long heldBack = receiveFailures.admit();
                if (heldBack >= 0) {
                    LOG.warn("{}: receive failed{}", name, receiveFailures.suffix(heldBack), e);
                }
                continue;
            } finally {
                Tasklets.unblocked(previous);
            }
            // A busy socket never makes the receiver wait: it must take turns with the others.
            Fairness.afterBlockingCall(System.nanoTime() - start);
            if (from == null) {
                continue;
            }
            buf.flip();
            int n = buf.remaining();
            if (n > maxDatagramSize) {
                oversize.increment();
                continue;
            }
            datagrams.increment();
            bytes.add(n);
            try {
                handler.onDatagram(buf, from);
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                handlerErrors.increment();
                long heldBack = handlerFailures.admit();
                if (heldBack >= 0) {
                    LOG.warn(
                            "{}: handler failed on a datagram from {}{}",
                            name,
                            from,
                            handlerFailures.suffix(heldBack),
                            e);
                }
            }
        }
    }

    @Override
    public int port() {
        return local.getPort();
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public UdpStats stats() {
        int rcvbuf;
        try {
            rcvbuf = channel.getOption(StandardSocketOptions.SO_RCVBUF);
        } catch (IOException e) {
            rcvbuf = -1; // closed
        }
        return new UdpStats(
                datagrams.sum(),
                bytes.sum(),
                oversize.sum(),
                handlerErrors.sum(),
                ProcNetUdp.kernelDrops(local.getPort()),
                rcvbuf);
    }

    @Override
    public void close() {
        // Before anything changes: a refused close must leave the receiver running, not half-closed.
        if (scope.isCallerInside()) {
            throw TaskletScope.selfWaitRefused(
                    "UDP receiver '" + name + "'",
                    "closed",
                    "close it from another tasklet, e.g. Tasklets.start(\"close\", receiver::close)");
        }
        if (!closing.compareAndSet(false, true)) {
            scope.close();
            return;
        }
        LIVE.remove(this);
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("{}: close failed", name, e);
        }
        scope.close();
    }

    String name() {
        return name;
    }

    /** This receiver as a sockets-report entry. */
    java.util.Map<String, Object> toTree() {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("name", name);
        m.put("protocol", "udp");
        m.put("local", ConnectionImpl.format(local));
        m.put("reactor", false);
        m.put("started_ms", startedMillis);
        m.put("closing", closing.get());
        m.putAll(stats().toTree());
        return m;
    }

    @Override
    public String toString() {
        return "UdpReceiver[" + name + "]";
    }
}

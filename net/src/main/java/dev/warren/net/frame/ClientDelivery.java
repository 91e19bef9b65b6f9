package dev.warren.net.frame;

import dev.warren.net.Connection;
import java.io.IOException;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a {@link DeliveryMode} adds to a {@link MessageClientImpl} connection, so that its writer and
 * reader loops are the same for both modes: {@link AtMostOnce} adds nothing (a message is delivered
 * once written; a batch the connection lost is abandoned), {@link AtLeastOnce} the hello handshake,
 * the {@link DeliveryLedger} every message waits in until the server's cumulative ack covers it, and
 * the reading of those acks.
 *
 * <p><b>Threads.</b> {@link #hello}, {@link #awaitRoom}, {@link #admit}, {@link #unflushed} and {@link
 * #finishing} are called by the connection's writer tasklet, {@link #frame} by its reader (with a
 * {@link ReadState} of that connection); {@link #delivered} by anyone.
 */
abstract sealed class ClientDelivery permits ClientDelivery.AtMostOnce, ClientDelivery.AtLeastOnce {

    /** The reader's per-connection state: whether the hello's answer is still due, acks seen so far. */
    static final class ReadState {
        final CountDownLatch handshake;
        boolean first;
        long ackedHere;

        ReadState(CountDownLatch handshake, boolean first) {
            this.handshake = handshake;
            this.first = first;
        }
    }

    /** Writes one frame into the connection's buffer (the writer's own header array). */
    @FunctionalInterface
    interface FrameOut {
        void write(byte[] payload) throws IOException;
    }

    static ClientDelivery of(
            DeliveryMode mode,
            DeliveryLedger ledger,
            LongAdder acknowledged,
            LongAdder abandoned,
            Duration handshakeTimeout,
            String peer) {
        return mode == DeliveryMode.AT_LEAST_ONCE
                ? new AtLeastOnce(ledger, acknowledged, handshakeTimeout, peer)
                : new AtMostOnce(abandoned);
    }

    /** A new reader state for a connection whose hello (if any) is answered by counting down {@code handshake}. */
    abstract ReadState newReadState(CountDownLatch handshake);

    /** On a new connection, before any message: whatever the mode must agree with the server first. */
    abstract void hello(Connection c, FrameOut out, CountDownLatch handshake) throws IOException, InterruptedException;

    /** Waits until the writer may take another message from the queue. */
    abstract void awaitRoom() throws InterruptedException;

    /** The writer is about to write {@code m}; returns whether it may take another before flushing. */
    abstract boolean admit(byte[] m);

    /** {@code n} messages taken from the queue did not all reach a flush: the connection is gone. */
    abstract void unflushed(int n);

    /** The queue is closed and empty: waits (until {@code deadlineNanos}) for what the mode still owes. */
    abstract void finishing(long deadlineNanos) throws InterruptedException;

    /**
     * A frame from the server: the message to hand the receiver, or null when it was the mode's own
     * (an ack).
     *
     * @throws ProtocolException if the frame breaks the mode's protocol
     */
    abstract ByteBuffer frame(ByteBuffer p, ReadState s) throws ProtocolException;

    /** How many messages count as delivered, given how many were written. */
    abstract long delivered(long written);

    /** A message is delivered once written; what a lost connection took with it is abandoned. */
    static final class AtMostOnce extends ClientDelivery {
        private final LongAdder abandoned;

        AtMostOnce(LongAdder abandoned) {
            this.abandoned = abandoned;
        }

        @Override
        ReadState newReadState(CountDownLatch handshake) {
            return new ReadState(handshake, false);
        }

        @Override
        void hello(Connection c, FrameOut out, CountDownLatch handshake) {
            // nothing to agree on
        }

        @Override
        void awaitRoom() {
            // the queue's own bound is the only one
        }

        @Override
        boolean admit(byte[] m) {
            return true;
        }

        @Override
        void unflushed(int n) {
            // nothing keeps them: lost with the connection, whether or not some bytes got out
            abandoned.add(n);
        }

        @Override
        void finishing(long deadlineNanos) {
            // nothing owed
        }

        @Override
        ByteBuffer frame(ByteBuffer p, ReadState s) {
            return p;
        }

        @Override
        long delivered(long written) {
            return written;
        }
    }

    /**
     * Every message waits in the ledger until the server's cumulative ack covers it, and is written again
     * on the next connection if the ack does not come; the hello ({@link AckProtocol#hello()}, answered
     * with ack 0) tells a Warren server to acknowledge.
     */
    static final class AtLeastOnce extends ClientDelivery {
        private final DeliveryLedger ledger;
        private final LongAdder acknowledged;
        private final Duration handshakeTimeout;
        private final String peer;

        AtLeastOnce(DeliveryLedger ledger, LongAdder acknowledged, Duration handshakeTimeout, String peer) {
            this.ledger = ledger;
            this.acknowledged = acknowledged;
            this.handshakeTimeout = handshakeTimeout;
            this.peer = peer;
        }

        @Override
        ReadState newReadState(CountDownLatch handshake) {
            return new ReadState(handshake, true);
        }

        @Override
        void hello(Connection c, FrameOut out, CountDownLatch handshake) throws IOException, InterruptedException {
            out.write(AckProtocol.hello());
            c.flush();
            if (!handshake.await(handshakeTimeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new ProtocolException("no answer to the at-least-once hello within " + handshakeTimeout + " from "
                        + peer + " (is it a Warren MessageServer with acknowledgements on?)");
            }
        }

        @Override
        void awaitRoom() throws InterruptedException {
            ledger.awaitRoom();
        }

        @Override
        boolean admit(byte[] m) {
            return ledger.add(m); // false: the ledger is full, wait for acks before taking more
        }

        @Override
        void unflushed(int n) {
            // they wait in the ledger for the next connection
        }

        @Override
        void finishing(long deadlineNanos) throws InterruptedException {
            ledger.awaitAllAcked(deadlineNanos);
        }

        @Override
        ByteBuffer frame(ByteBuffer p, ReadState s) throws ProtocolException {
            byte type = p.remaining() > 0 ? p.get(p.position()) : -1;
            if (type == AckProtocol.TYPE_ACK && p.remaining() == AckProtocol.ACK_SIZE) {
                long count = AckProtocol.ackCount(p);
                if (s.first) {
                    if (count != 0) {
                        throw new ProtocolException("the server answered the hello with ack " + count);
                    }
                    s.first = false;
                    s.handshake.countDown();
                    return null;
                }
                if (count < s.ackedHere) {
                    throw new ProtocolException("ack count went back from " + s.ackedHere + " to " + count);
                }
                ledger.acked(count - s.ackedHere, acknowledged);
                s.ackedHere = count;
                return null;
            }
            if (s.first || type != AckProtocol.TYPE_MESSAGE) {
                throw new ProtocolException("unexpected frame of " + p.remaining()
                        + " bytes from the server on an at-least-once connection"
                        + (s.first ? " (expected the answer to the hello)" : ""));
            }
            p.position(p.position() + 1);
            return p;
        }

        @Override
        long delivered(long written) {
            return acknowledged.sum();
        }
    }
}

package dev.warren.tasklets;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.tasklets.testing.Proof;
import java.util.ArrayDeque;
import org.jetbrains.lincheck.LincheckAssertionError;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Linearizability of {@link Channel} against a plain sequential queue ({@link Spec}), in Lincheck's
 * stress mode (real threads, many invocations) and its model-checking mode (every interleaving of a
 * scenario up to a bound, switching threads at each shared-memory access and park).
 *
 * <p><b>What is linearizable, what is not.</b> A sender first reserves room (a counter), then puts its
 * value into the JCTools queue. Two senders can therefore enter the queue in the other order than they
 * reserved, and a reserved value is not yet visible to receivers. Nobody can tell as long as no send
 * sees the channel full; but with two senders at once on a full channel the history can be
 * non-linearizable ({@link #relaxedOrderWhenFullWithConcurrentSenders()} pins the counterexample
 * Lincheck found). So the bounded, full-channel configurations run their sending operations in one
 * thread at a time ({@code nonParallelGroup = "producer"}), receivers and {@code close} in parallel; and
 * the many-producer configuration uses a capacity no scenario can fill. Both together cover every
 * operation and every overflow policy. Under DROP_OLDEST an evicting send is not atomic either
 * ({@link #dropOldestEvictionIsNotAtomicWithConcurrentReceivers()}), so its receives share the senders'
 * group. docs/QUALITY.md records both relaxations.
 *
 * <p>Blocking {@code send}/{@code receive} (the waiter hand-off, the source of the lost wake-up bugs
 * this kind of code has) cannot be generated at random: a receive on a channel nobody sends to never
 * returns, which Lincheck reports as a deadlock. They run in hand-written scenarios in which every
 * blocking call must be woken, under the model checker, which then explores every interleaving of the
 * parks and wake-ups; a lost wake-up shows up as a deadlock there.
 */
@Tag(Proof.TAG)
class ChannelLincheckTest {

    // ---- the sequential specification ----

    /** A plain bounded FIFO queue with the channel's overflow policy and close; "would block" is an error. */
    abstract static class Spec {
        private final ArrayDeque<Integer> q = new ArrayDeque<>();
        private final int capacity;
        private final OverflowPolicy policy;
        private boolean closed;

        Spec(int capacity, OverflowPolicy policy) {
            this.capacity = capacity;
            this.policy = policy;
        }

        public boolean offer(int v) {
            if (closed) {
                throw new ChannelClosedException("spec");
            }
            if (q.size() < capacity) {
                q.addLast(v);
                return true;
            }
            if (policy == OverflowPolicy.DROP_OLDEST) {
                q.pollFirst();
                q.addLast(v);
                return true;
            }
            return false;
        }

        public void send(int v) {
            if (closed) {
                throw new ChannelClosedException("spec");
            }
            if (q.size() < capacity) {
                q.addLast(v);
                return;
            }
            switch (policy) {
                case BLOCK -> throw new WouldBlock();
                case DROP_NEWEST -> {}
                case DROP_OLDEST -> {
                    q.pollFirst();
                    q.addLast(v);
                }
                case FAIL -> throw new ChannelFullException("spec", capacity);
            }
        }

        public Integer poll() {
            return q.pollFirst();
        }

        public Integer receive() {
            Integer v = q.pollFirst();
            if (v != null) {
                return v;
            }
            if (closed) {
                throw new ChannelClosedException("spec");
            }
            throw new WouldBlock();
        }

        public void close() {
            closed = true;
        }

        public boolean isClosed() {
            return closed;
        }
    }

    /** The spec's "this call would wait here": no linearization may put the call at such a point. */
    static final class WouldBlock extends RuntimeException {
        private static final long serialVersionUID = 1L;

        WouldBlock() {
            super("would block", null, false, false);
        }
    }

    // ---- the configurations under test (Lincheck creates one instance per invocation) ----

    /** Operations every configuration shares; sends are in one group so they never run in parallel. */
    abstract static class Ops {
        final Channel<Integer> c;

        Ops(Channel<Integer> c) {
            this.c = c;
        }

        @Operation(nonParallelGroup = "producer")
        public boolean offer(int v) {
            return c.offer(v);
        }

        @Operation
        public Integer poll() {
            return c.poll();
        }

        @Operation
        public void close() {
            c.close();
        }

        @Operation
        public boolean isClosed() {
            return c.isClosed();
        }
    }

    /** Sending ops for the policies where a send never waits. */
    abstract static class SendingOps extends Ops {
        SendingOps(Channel<Integer> c) {
            super(c);
        }

        @Operation(nonParallelGroup = "producer")
        public void send(int v) throws InterruptedException {
            c.send(v);
        }
    }

    public static final class BlockFull extends Ops {
        public BlockFull() {
            super(Channel.<Integer>builder(2).overflow(OverflowPolicy.BLOCK).build());
        }
    }

    public static final class BlockFullSpec extends Spec {
        public BlockFullSpec() {
            super(2, OverflowPolicy.BLOCK);
        }
    }

    public static final class DropNewest extends SendingOps {
        public DropNewest() {
            super(Channel.<Integer>builder(2)
                    .overflow(OverflowPolicy.DROP_NEWEST)
                    .build());
        }
    }

    public static final class DropNewestSpec extends Spec {
        public DropNewestSpec() {
            super(2, OverflowPolicy.DROP_NEWEST);
        }
    }

    /**
     * DROP_OLDEST: an evicting send polls the oldest value and then reserves, two steps a receiver can
     * fall between (see {@link #dropOldestEvictionIsNotAtomicWithConcurrentReceivers()}), so here the
     * receives share the senders' group; close runs in parallel with both.
     */
    public static final class DropOldest {
        final Channel<Integer> c =
                Channel.<Integer>builder(2).overflow(OverflowPolicy.DROP_OLDEST).build();

        @Operation(nonParallelGroup = "producer")
        public boolean offer(int v) {
            return c.offer(v);
        }

        @Operation(nonParallelGroup = "producer")
        public void send(int v) throws InterruptedException {
            c.send(v);
        }

        @Operation(nonParallelGroup = "producer")
        public Integer poll() {
            return c.poll();
        }

        @Operation
        public void close() {
            c.close();
        }

        @Operation
        public boolean isClosed() {
            return c.isClosed();
        }
    }

    public static final class DropOldestSpec extends Spec {
        public DropOldestSpec() {
            super(2, OverflowPolicy.DROP_OLDEST);
        }
    }

    public static final class Fail extends SendingOps {
        public Fail() {
            super(Channel.<Integer>builder(2).overflow(OverflowPolicy.FAIL).build());
        }
    }

    public static final class FailSpec extends Spec {
        public FailSpec() {
            super(2, OverflowPolicy.FAIL);
        }
    }

    /** Single consumer: every receive in one group (the channel's contract), sends in another. */
    public static final class SingleConsumer {
        final Channel<Integer> c = Channel.<Integer>builder(2)
                .overflow(OverflowPolicy.DROP_NEWEST)
                .singleConsumer()
                .build();

        @Operation(nonParallelGroup = "producer")
        public boolean offer(int v) {
            return c.offer(v);
        }

        @Operation(nonParallelGroup = "producer")
        public void send(int v) throws InterruptedException {
            c.send(v);
        }

        @Operation(nonParallelGroup = "consumer")
        public Integer poll() {
            return c.poll();
        }

        @Operation
        public void close() {
            c.close();
        }
    }

    public static final class SingleConsumerSpec extends Spec {
        public SingleConsumerSpec() {
            super(2, OverflowPolicy.DROP_NEWEST);
        }
    }

    /** Many producers and consumers at once, on a channel no scenario can fill. */
    public static final class ManyProducers {
        final Channel<Integer> c = Channel.bounded(64);

        @Operation
        public boolean offer(int v) {
            return c.offer(v);
        }

        @Operation
        public void send(int v) throws InterruptedException {
            c.send(v);
        }

        @Operation
        public Integer poll() {
            return c.poll();
        }

        @Operation
        public void close() {
            c.close();
        }
    }

    public static final class ManyProducersSpec extends Spec {
        public ManyProducersSpec() {
            super(64, OverflowPolicy.BLOCK);
        }
    }

    /** Blocking send and receive, for the hand-written scenarios. */
    public static final class Blocking {
        final Channel<Integer> c = Channel.bounded(1);

        public void send(int v) throws InterruptedException {
            c.send(v);
        }

        public Integer receive() throws InterruptedException {
            return c.receive();
        }

        public Integer poll() {
            return c.poll();
        }

        public void close() {
            c.close();
        }
    }

    public static final class BlockingSpec extends Spec {
        public BlockingSpec() {
            super(1, OverflowPolicy.BLOCK);
        }
    }

    /** The counterexample's configuration: two senders in parallel on a full channel. */
    public static final class ParallelSendersFull {
        final Channel<Integer> c = Channel.bounded(2);

        public boolean offer(int v) {
            return c.offer(v);
        }

        public Integer poll() {
            return c.poll();
        }
    }

    public static final class ParallelSendersFullSpec extends Spec {
        public ParallelSendersFullSpec() {
            super(2, OverflowPolicy.BLOCK);
        }
    }

    // ---- the runs ----

    private static StressOptions stress(Class<?> spec) {
        return new StressOptions()
                .iterations(Proof.scale(4, 30))
                .invocationsPerIteration(Proof.scale(250, 3_000))
                .threads(3)
                .actorsPerThread(3)
                .actorsBefore(2)
                .actorsAfter(2)
                .sequentialSpecification(spec);
    }

    private static ModelCheckingOptions model(Class<?> spec) {
        return new ModelCheckingOptions()
                .iterations(Proof.scale(4, 30))
                .invocationsPerIteration(Proof.scale(80, 500))
                .threads(3)
                .actorsPerThread(2)
                .actorsBefore(2)
                .actorsAfter(2)
                .sequentialSpecification(spec);
    }

    @Test
    void blockPolicyOfferPollCloseStress() {
        stress(BlockFullSpec.class).check(BlockFull.class);
    }

    @Test
    void blockPolicyOfferPollCloseModel() {
        model(BlockFullSpec.class).check(BlockFull.class);
    }

    @Test
    void dropNewestStress() {
        stress(DropNewestSpec.class).check(DropNewest.class);
    }

    @Test
    void dropNewestModel() {
        model(DropNewestSpec.class).check(DropNewest.class);
    }

    @Test
    void dropOldestStress() {
        stress(DropOldestSpec.class).check(DropOldest.class);
    }

    @Test
    void dropOldestModel() {
        model(DropOldestSpec.class).check(DropOldest.class);
    }

    @Test
    void failStress() {
        stress(FailSpec.class).check(Fail.class);
    }

    @Test
    void failModel() {
        model(FailSpec.class).check(Fail.class);
    }

    @Test
    void singleConsumerStress() {
        stress(SingleConsumerSpec.class).threads(3).check(SingleConsumer.class);
    }

    @Test
    void singleConsumerModel() {
        model(SingleConsumerSpec.class).check(SingleConsumer.class);
    }

    @Test
    void manyProducersAndConsumersStress() {
        stress(ManyProducersSpec.class).check(ManyProducers.class);
    }

    @Test
    void manyProducersAndConsumersModel() {
        model(ManyProducersSpec.class).check(ManyProducers.class);
    }

    /** Every blocked call in these scenarios must be woken; a lost wake-up is a deadlock to the model checker. */
    @Test
    void blockingSendAndReceiveWakeEachOtherModel() {
        blockingScenarios(new ModelCheckingOptions().invocationsPerIteration(Proof.scale(400, 20_000)))
                .check(Blocking.class);
    }

    @Test
    void blockingSendAndReceiveWakeEachOtherStress() {
        blockingScenarios(new StressOptions().invocationsPerIteration(Proof.scale(250, 20_000)))
                .check(Blocking.class);
    }

    private static <O extends org.jetbrains.lincheck.datastructures.Options<O, ?>> O blockingScenarios(O o) {
        Class<Blocking> t = Blocking.class;
        return o.iterations(0)
                .sequentialSpecification(BlockingSpec.class)
                // a receiver parked on an empty channel, woken by a send
                .addCustomScenario(
                        Proof.scenario(t).thread("receive").thread("send:1").build())
                // ... or by the close
                .addCustomScenario(
                        Proof.scenario(t).thread("receive").thread("close").build())
                // a send, a close and a receive race: the value is delivered or the send throws, never lost
                .addCustomScenario(Proof.scenario(t)
                        .thread("receive")
                        .thread("send:1")
                        .thread("close")
                        .post("poll")
                        .build())
                // a sender parked on a full channel, woken by a receive; the post part sees its value
                .addCustomScenario(Proof.scenario(t)
                        .init("send", 1)
                        .thread("send:2")
                        .thread("receive")
                        .post("receive")
                        .build())
                // two parked receivers, two sends: both must be woken (the wake-up is handed on)
                .addCustomScenario(Proof.scenario(t)
                        .thread("receive")
                        .thread("receive")
                        .thread("send:1", "send:2")
                        .build())
                // two parked senders on a full channel, one receiver taking all three
                .addCustomScenario(Proof.scenario(t)
                        .init("send", 1)
                        .thread("send:2")
                        .thread("send:3")
                        .thread("receive", "receive", "receive")
                        .build())
                // a parked sender and a close: the send throws or its value is received, never lost
                .addCustomScenario(Proof.scenario(t)
                        .init("send", 1)
                        .thread("send:2")
                        .thread("close")
                        .thread("receive")
                        .post("poll")
                        .build());
    }

    /**
     * Regression: a send that reserved its slot before a close, but had not yet put its value into the
     * queue, was invisible to a poll that started after the close had returned; poll said "empty" on a
     * closed channel, so a caller draining with poll (MessageClient counting what it abandons) missed
     * an accepted value. Found by {@link #blockPolicyOfferPollCloseModel()}; fixed in
     * {@code ArrayChannel.pollInFlight}.
     */
    @Test
    void pollAfterCloseSeesASendThatReservedBeforeTheClose() {
        new ModelCheckingOptions()
                .iterations(0)
                .invocationsPerIteration(Proof.scale(1_000, 20_000))
                .sequentialSpecification(BlockFullSpec.class)
                .addCustomScenario(Proof.scenario(BlockFull.class)
                        .thread("offer:1")
                        .thread("close")
                        .thread("poll")
                        .post("poll")
                        .build())
                .check(BlockFull.class);
    }

    /**
     * The second relaxation, found by Lincheck's stress mode: under DROP_OLDEST a send on a full channel
     * first evicts the oldest value and then reserves room for its own, and a receiver can take the
     * other value and find the channel empty in between. Sequentially the send would either have found
     * room (nothing evicted) or the receiver would have found its value. So DROP_OLDEST may evict a
     * value although a receiver was making room at the same time, and a poll may see "empty" while such
     * a send is under way (a blocking receive waits for it). Pinned here so that a fix shows up.
     */
    @Test
    void dropOldestEvictionIsNotAtomicWithConcurrentReceivers() {
        ModelCheckingOptions o = new ModelCheckingOptions()
                .iterations(0)
                .invocationsPerIteration(10_000)
                .sequentialSpecification(DropOldestSpec.class)
                .addCustomScenario(Proof.scenario(DropOldestFree.class)
                        .init("offer", 1)
                        .init("offer", 2)
                        .thread("send:3")
                        .thread("poll", "poll")
                        .build());
        LincheckAssertionError e = assertThrows(LincheckAssertionError.class, () -> o.check(DropOldestFree.class));
        assertTrue(e.getMessage().contains("Invalid execution results"), e.getMessage());
    }

    /** DROP_OLDEST with no grouping, for the hand-written counterexample. */
    public static final class DropOldestFree {
        final Channel<Integer> c =
                Channel.<Integer>builder(2).overflow(OverflowPolicy.DROP_OLDEST).build();

        public boolean offer(int v) {
            return c.offer(v);
        }

        public void send(int v) throws InterruptedException {
            c.send(v);
        }

        public Integer poll() {
            return c.poll();
        }
    }

    /**
     * The relaxation described in the class comment, found by Lincheck's model checker: thread 1's
     * second offer reserves the last slot and stops before its value is in the queue; thread 2 sees the
     * channel full (offer(2) false), takes the first 1, and its own offer(-2) enters the queue before
     * thread 1's value. No sequential order explains "full" for offer(2) and -2 received before that 1.
     * This test pins the behaviour: if it starts failing, the channel became linearizable in this case
     * and the class comment, the Channel javadoc and docs/QUALITY.md must say so.
     */
    @Test
    void relaxedOrderWhenFullWithConcurrentSenders() {
        ModelCheckingOptions o = new ModelCheckingOptions()
                .iterations(0)
                .invocationsPerIteration(10_000)
                .sequentialSpecification(ParallelSendersFullSpec.class)
                .addCustomScenario(Proof.scenario(ParallelSendersFull.class)
                        .init("offer", 1)
                        .thread("offer:1")
                        .thread("offer:2", "poll", "offer:-2")
                        .post("poll")
                        .build());
        LincheckAssertionError e = assertThrows(LincheckAssertionError.class, () -> o.check(ParallelSendersFull.class));
        assertTrue(e.getMessage().contains("Invalid execution results"), e.getMessage());
    }
}

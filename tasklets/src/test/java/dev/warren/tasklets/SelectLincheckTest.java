package dev.warren.tasklets;

import dev.warren.tasklets.testing.Proof;
import java.util.ArrayDeque;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Options;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link Select} over two channels, with sends, direct receives and closes racing it, against a
 * sequential specification ({@link Spec}), under Lincheck's model checker and in its stress mode.
 *
 * <p>Only hand-written scenarios: a select with no value ever coming blocks for good (a generated
 * scenario would be reported as a deadlock), and a select that finds values in both channels takes
 * from a random one, which a deterministic specification cannot predict. In each scenario below every
 * select is woken, and whenever both channels can hold a value at once the sends are concurrent with
 * the select, so some order of the specification explains either choice. What the model checker
 * explores is every interleaving of the select's scan, its waiter on both channels, the senders'
 * wake-ups and the hand-on of a wake-up the select did not use; a lost wake-up is a deadlock.
 */
@Tag(Proof.TAG)
class SelectLincheckTest {

    /** Two bounded queues; select takes from {@code a} first when both have values. */
    public static final class Spec {
        private final ArrayDeque<Integer> a = new ArrayDeque<>();
        private final ArrayDeque<Integer> b = new ArrayDeque<>();
        private boolean closedA;
        private boolean closedB;

        public void sendA(int v) {
            if (closedA) {
                throw new ChannelClosedException("a");
            }
            if (!a.isEmpty()) {
                throw new ChannelLincheckTest.WouldBlock();
            }
            a.add(v);
        }

        public void sendB(int v) {
            if (closedB) {
                throw new ChannelClosedException("b");
            }
            if (!b.isEmpty()) {
                throw new ChannelLincheckTest.WouldBlock();
            }
            b.add(v);
        }

        public void closeA() {
            closedA = true;
        }

        public void closeB() {
            closedB = true;
        }

        public Integer receiveA() {
            Integer v = a.poll();
            if (v != null) {
                return v;
            }
            if (closedA) {
                throw new ChannelClosedException("a");
            }
            throw new ChannelLincheckTest.WouldBlock();
        }

        public String select() {
            if (!a.isEmpty()) {
                return "a:" + a.poll();
            }
            if (!b.isEmpty()) {
                return "b:" + b.poll();
            }
            if (closedA && closedB) {
                throw new ChannelClosedException("a, b");
            }
            throw new ChannelLincheckTest.WouldBlock();
        }

        public String pollBoth() {
            return "a=" + a.poll() + " b=" + b.poll();
        }

        public String selectTwice() {
            return sorted(select(), select());
        }
    }

    /** Two results in a fixed order: which of two present values a select takes first is random. */
    static String sorted(String x, String y) {
        return x.compareTo(y) <= 0 ? x + "," + y : y + "," + x;
    }

    /** Two channels of capacity 1. */
    public static final class Ops {
        final Channel<Integer> a = Channel.<Integer>builder(1).name("a").build();
        final Channel<Integer> b = Channel.<Integer>builder(1).name("b").build();

        public void sendA(int v) throws InterruptedException {
            a.send(v);
        }

        public void sendB(int v) throws InterruptedException {
            b.send(v);
        }

        public void closeA() {
            a.close();
        }

        public void closeB() {
            b.close();
        }

        public Integer receiveA() throws InterruptedException {
            return a.receive();
        }

        public String select() throws InterruptedException {
            Selected<Integer> s = Select.receive(a, b);
            return (s.channel() == a ? "a:" : "b:") + s.value();
        }

        public String pollBoth() {
            return "a=" + a.poll() + " b=" + b.poll();
        }

        public String selectTwice() throws InterruptedException {
            return sorted(select(), select());
        }
    }

    private static <O extends Options<O, ?>> O scenarios(O o) {
        Class<Ops> t = Ops.class;
        return o.iterations(0)
                .sequentialSpecification(Spec.class)
                // a parked select woken by a send on either channel
                .addCustomScenario(
                        Proof.scenario(t).thread("select").thread("sendA:1").build())
                .addCustomScenario(Proof.scenario(t)
                        .thread("select")
                        .thread("sendB:2", "closeA")
                        .post("pollBoth")
                        .build())
                // both channels closed while the select waits: it must see the end, once
                .addCustomScenario(Proof.scenario(t)
                        .thread("select")
                        .thread("closeA")
                        .thread("closeB")
                        .build())
                // a select and a direct receiver on the same channel, two sends: both must get one
                .addCustomScenario(Proof.scenario(t)
                        .thread("select")
                        .thread("receiveA")
                        .thread("sendA:1", "sendA:2")
                        .build())
                // two selects in a row, one value on each channel (compared as a set: with both
                // values present a select may take either)
                .addCustomScenario(Proof.scenario(t)
                        .thread("selectTwice")
                        .thread("sendA:1")
                        .thread("sendB:2")
                        .build())
                // a send racing the close of its channel while the other channel is already closed
                .addCustomScenario(Proof.scenario(t)
                        .init("closeA")
                        .thread("select")
                        .thread("sendB:5")
                        .thread("closeB")
                        .post("pollBoth")
                        .build());
    }

    @Test
    void selectModel() {
        scenarios(new ModelCheckingOptions().invocationsPerIteration(Proof.scale(400, 20_000)))
                .check(Ops.class);
    }

    @Test
    void selectStress() {
        scenarios(new StressOptions().invocationsPerIteration(Proof.scale(250, 20_000)))
                .check(Ops.class);
    }
}

package dev.warren.tasklets;

import dev.warren.tasklets.testing.Proof;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link ChildList}, a scope's lock-free list of live children, against a plain set, under Lincheck's
 * model checker and stress mode.
 *
 * <p>The list's contract is that each child is added once and then removed once, by its own thread, so
 * the operations here claim a child's next step with a CAS first (new, adding, added, removing,
 * removed): a second add or remove answers false once the first one is done, and a {@code remove} waits for an
 * {@code add} of the same child still under way (a child removes itself, and it starts only after it
 * was added). Without those waits the harness itself was not linearizable: {@code make proof}'s long
 * run found a second add answering false, and then a live count of 0, while the first add was still
 * between its claim and the list (and the same for two removes).
 *
 * <p>Every instance starts with 64 children added and removed, so the first removal in a scenario
 * runs a cleaning pass (the dead then outnumber {@code max(64, live)}) concurrently with the other
 * operations: the pass unlinking nodes is what a reader must survive.
 *
 * <p>Membership ({@code contains}, a traversal like the scope's cancel and snapshot) and the live count
 * are checked in two separate configurations: {@code add} counts a child before it links it (so that
 * a scope waiting for its children to end cannot miss one being added), so a count and a traversal
 * taken one after the other may disagree about a child still being added. Each is linearizable alone.
 */
@Tag(Proof.TAG)
class ChildListLincheckTest {
    private static final int CHILDREN = 3;
    private static final int NEW = 0, ADDING = 1, ADDED = 2, REMOVING = 3, REMOVED = 4;

    abstract static class Base {
        final ChildList list = new ChildList();
        final TaskletImpl<?>[] children = new TaskletImpl<?>[CHILDREN];
        final AtomicIntegerArray state = new AtomicIntegerArray(CHILDREN);

        Base() {
            for (int i = 0; i < 64; i++) {
                TaskletImpl<?> dead = new TaskletImpl<>(null, "dead", () -> null);
                list.add(dead);
                list.remove(dead);
            }
            for (int i = 0; i < CHILDREN; i++) {
                children[i] = new TaskletImpl<>(null, "child-" + i, () -> null);
            }
        }

        @Operation
        public boolean add(@Param(gen = IntGen.class, conf = "0:2") int k) {
            if (!state.compareAndSet(k, NEW, ADDING)) {
                while (state.get(k) == ADDING) {
                    Thread.onSpinWait(); // the winner's add is under way: answer after it, as one add would
                }
                return false;
            }
            list.add(children[k]);
            state.set(k, ADDED);
            return true;
        }

        @Operation
        public boolean remove(@Param(gen = IntGen.class, conf = "0:2") int k) {
            for (; ; ) {
                int st = state.get(k);
                if (st == ADDED && state.compareAndSet(k, ADDED, REMOVING)) {
                    break;
                }
                if (st != ADDING && st != REMOVING) {
                    return false; // never added, or removed already
                }
                // a child is removed only after its add returned (it is started after it), and a second
                // remove answers after the first is done
                Thread.onSpinWait();
            }
            list.remove(children[k]);
            state.set(k, REMOVED);
            return true;
        }
    }

    public static final class Membership extends Base {
        @Operation
        @SuppressWarnings("ReferenceEquality") // the node itself, as the scope's traversals look for it
        public boolean contains(@Param(gen = IntGen.class, conf = "0:2") int k) {
            for (TaskletImpl<?> n = list.head(); n != null; n = n.nextSibling) {
                if (n == children[k]) {
                    return !n.detached;
                }
            }
            return false;
        }
    }

    public static final class Count extends Base {
        @Operation
        public int liveCount() {
            return list.liveCount();
        }
    }

    /** The specification: a set; a child once removed never comes back. */
    public static class SetSpec {
        private final Set<Integer> live = new HashSet<>();
        private final Set<Integer> seen = new HashSet<>();

        public boolean add(int k) {
            if (!seen.add(k)) {
                return false;
            }
            live.add(k);
            return true;
        }

        public boolean remove(int k) {
            return live.remove(k);
        }

        public boolean contains(int k) {
            return live.contains(k);
        }

        public int liveCount() {
            return live.size();
        }
    }

    private static StressOptions stress() {
        return new StressOptions()
                .iterations(Proof.scale(4, 30))
                .invocationsPerIteration(Proof.scale(250, 3_000))
                .threads(3)
                .actorsPerThread(3)
                .sequentialSpecification(SetSpec.class);
    }

    private static ModelCheckingOptions model() {
        return new ModelCheckingOptions()
                .iterations(Proof.scale(4, 30))
                .invocationsPerIteration(Proof.scale(80, 500))
                .threads(3)
                .actorsPerThread(2)
                // a traversal passes the 64 dead nodes before the cleaning pass: not a livelock
                .loopBound(200)
                .sequentialSpecification(SetSpec.class);
    }

    @Test
    void membershipStress() {
        stress().check(Membership.class);
    }

    @Test
    void membershipModel() {
        model().check(Membership.class);
    }

    @Test
    void countStress() {
        stress().check(Count.class);
    }

    @Test
    void countModel() {
        model().check(Count.class);
    }
}

package dev.warren.tasklets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link ChildList} in one thread: the live count, the snapshot, and that ended children are unlinked
 * so that the list stays proportional to the live ones (mutation testing found the cleaning pass
 * unchecked by the example tests; the concurrent behaviour is {@link ChildListLincheckTest}'s).
 */
class ChildListTest {

    private static TaskletImpl<?> child(int i) {
        return new TaskletImpl<>(null, "child-" + i, () -> null);
    }

    private static int linked(ChildList list) {
        int n = 0;
        for (TaskletImpl<?> t = list.head(); t != null; t = t.nextSibling) {
            n++;
        }
        return n;
    }

    @Test
    void countsAndSnapshotFollowAddsAndRemoves() {
        ChildList list = new ChildList();
        List<TaskletImpl<?>> kids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            kids.add(child(i));
            list.add(kids.get(i));
        }
        assertEquals(5, list.liveCount());
        list.remove(kids.get(1));
        list.remove(kids.get(3));
        assertEquals(3, list.liveCount());
        assertEquals(List.of(kids.get(4), kids.get(2), kids.get(0)), list.snapshot(), "newest first, ended skipped");
        list.remove(kids.get(0));
        list.remove(kids.get(2));
        list.remove(kids.get(4));
        assertTrue(list.isEmpty());
        assertEquals(List.of(), list.snapshot());
    }

    @Test
    void endedChildrenAreUnlinkedOnceTheyOutnumberTheLiveOnes() {
        ChildList list = new ChildList();
        List<TaskletImpl<?>> kids = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            kids.add(child(i));
            list.add(kids.get(i));
        }
        // end all but the 10 newest, oldest first, checking the bound after every end
        for (int i = 0; i < 990; i++) {
            list.remove(kids.get(i));
            int live = 1_000 - i - 1;
            int bound = live + Math.max(64, live) + 1;
            assertTrue(
                    linked(list) <= bound,
                    "after " + (i + 1) + " ends: " + linked(list) + " linked, " + live + " live");
        }
        assertEquals(10, list.liveCount());
        assertTrue(linked(list) <= 10 + 64 + 1, linked(list) + " nodes still linked for 10 live children");
        // a second wave reuses the same accounting: the dead count must have come down with the cleaning
        for (int i = 0; i < 500; i++) {
            TaskletImpl<?> t = child(2_000 + i);
            list.add(t);
            list.remove(t);
        }
        assertEquals(10, list.liveCount());
        assertTrue(linked(list) <= 10 + 64 + 2, linked(list) + " nodes linked after the second wave");
        assertEquals(kids.subList(990, 1_000).reversed(), list.snapshot());
    }
}

package dev.warren.streaming.datapath;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.tasklets.Tasklet;
import dev.warren.tasklets.TaskletScope;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** Exported streams: read copies, peek views, check stamps, overruns and resync, many readers, the end. */
class StreamReaderTest {
    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void write(ExportRing ring, String s) {
        byte[] b = bytes(s);
        ring.write(b, 0, b.length);
    }

    private static String text(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return new String(a, StandardCharsets.UTF_8);
    }

    @Test
    void readCopiesABlockAtATimeAndTheRestOnTheNextCall() throws Exception {
        ExportRing ring = new ExportRing("r1", 0, 4096);
        try (StreamReader r = new RingReader(ring, true)) {
            write(ring, "hello");
            write(ring, "world!");
            byte[] dst = new byte[3];
            assertEquals(3, r.read(dst, 0, 3));
            assertEquals("hel", new String(dst, StandardCharsets.UTF_8));
            assertEquals(2, r.read(dst, 0, 3));
            assertEquals("lo", new String(dst, 0, 2, StandardCharsets.UTF_8));
            byte[] big = new byte[100];
            assertEquals(6, r.read(big, 10, 90));
            assertEquals("world!", new String(big, 10, 6, StandardCharsets.UTF_8));
            assertEquals(0, r.read(big, 0, 100, Duration.ofMillis(20)), "nothing within the timeout");
            assertFalse(r.isEnded());
            ring.finish();
            assertEquals(-1, r.read(big, 0, 100));
            assertTrue(r.isEnded());
        }
    }

    @Test
    void peekGivesAViewWithoutCopyingAndCheckSaysWhenItMayBeOverwritten() throws Exception {
        ExportRing ring = new ExportRing("r2", 0, 1024);
        try (StreamReader r = new RingReader(ring, true)) {
            long stamp = r.check(-1);
            assertTrue(stamp > 0, "a first stamp");
            write(ring, "block one");
            ByteBuffer v = r.peek();
            assertTrue(v.isReadOnly());
            assertEquals("block one", text(v));
            long next = r.check(stamp);
            assertTrue(next > 0, "nothing was overwritten");
            write(ring, "block two");
            ByteBuffer v2 = r.peek();
            assertSame(v, v2, "the view is reused, not allocated per peek");
            assertEquals("block two", text(v2));
            // The writer laps the ring while the view is held: check says so, Streamline's -1.
            for (int i = 0; i < 200; i++) {
                write(ring, "overwrite " + i);
            }
            assertEquals(-1, r.check(next));
            assertTrue(r.check(-1) > 0, "a fresh stamp after a -1");
            assertThrows(IllegalArgumentException.class, () -> r.check(0));
        }
    }

    /** Streamline's loop: peek, process, check; it ends when the stream does. */
    @Test
    void streamlinesPeekLoop() throws Exception {
        ExportRing ring = new ExportRing("r3", 0, 1 << 16);
        for (int i = 0; i < 50; i++) {
            write(ring, "b" + i);
        }
        ring.finish();
        List<String> got = new ArrayList<>();
        try (StreamReader r = new RingReader(ring, true)) {
            long ts = r.check(-1);
            ByteBuffer p;
            do {
                p = r.peek();
                if (p != null) {
                    got.add(text(p));
                }
                ts = r.check(ts);
            } while (p != null && ts > 0);
        }
        assertEquals(50, got.size());
        assertEquals("b49", got.get(49));
    }

    @Test
    void aSlowReaderNeverBlocksTheWriterAndResyncsWithACountedOverrun() throws Exception {
        ExportRing ring = new ExportRing("r4", 0, 1024);
        try (StreamReader slow = new RingReader(ring, true)) {
            for (int i = 0; i < 10_000; i++) {
                write(ring, String.format("%06d", i)); // 10 bytes a record: about 100 fit
            }
            byte[] dst = new byte[16];
            int n = slow.read(dst, 0, dst.length);
            int first = Integer.parseInt(new String(dst, 0, n, StandardCharsets.UTF_8));
            assertEquals(1, slow.overruns());
            assertTrue(slow.skippedBytes() > 90_000, "skipped " + slow.skippedBytes());
            assertTrue(first > 9_800, "resynced to the oldest block still in the ring, got " + first);
            // from there on, every block, in order, intact
            int expect = first + 1;
            for (; (n = slow.read(dst, 0, dst.length, Duration.ZERO)) > 0; expect++) {
                assertEquals(expect, Integer.parseInt(new String(dst, 0, n, StandardCharsets.UTF_8)));
            }
            assertEquals(10_000, expect);
            assertEquals(1, slow.overruns());
        }
    }

    @Test
    void manyReadersEachHaveTheirOwnCursor() throws Exception {
        ExportRing ring = new ExportRing("r5", 0, 1 << 16);
        List<StreamReader> readers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            readers.add(new RingReader(ring, true));
        }
        for (int i = 0; i < 100; i++) {
            write(ring, "m" + i);
        }
        StreamReader late = new RingReader(ring, false);
        write(ring, "m100");
        byte[] dst = new byte[16];
        for (int k = 0; k < readers.size(); k++) {
            StreamReader r = readers.get(k);
            for (int i = 0; i <= 100 - k * 10; i++) {
                int n = r.read(dst, 0, 16);
                assertEquals("m" + i, new String(dst, 0, n, StandardCharsets.UTF_8));
            }
        }
        int n = late.read(dst, 0, 16);
        assertEquals("m100", new String(dst, 0, n, StandardCharsets.UTF_8), "openLatest sees only what comes after");
        assertEquals(5, ring.readers.size());
        readers.get(0).close();
        assertEquals(4, ring.readers.size());
        assertThrows(IllegalStateException.class, () -> readers.get(0).read(dst, 0, 16));
        late.close();
    }

    @Test
    void aBlockedReaderWakesForDataAndEndsWhenTheStreamEnds() throws Exception {
        ExportRing ring = new ExportRing("r6", 0, 4096);
        List<String> got = new ArrayList<>();
        CountDownLatch started = new CountDownLatch(1);
        try (TaskletScope scope = TaskletScope.failFast("readers").open()) {
            Tasklet<Integer> reader = scope.fork("reader", () -> {
                try (StreamReader r = new RingReader(ring, true)) {
                    started.countDown();
                    byte[] dst = new byte[64];
                    for (int n; (n = r.read(dst, 0, dst.length)) >= 0; ) {
                        got.add(new String(dst, 0, n, StandardCharsets.UTF_8));
                    }
                    return -1;
                }
            });
            started.await();
            write(ring, "one");
            write(ring, "two");
            ring.finish();
            assertEquals(-1, reader.join());
        }
        assertEquals(List.of("one", "two"), got, "what was written before the end is read first");
    }

    @Test
    void peekWithATimeoutTellsTheEndFromNothingYet() throws Exception {
        ExportRing ring = new ExportRing("r7", 0, 4096);
        try (StreamReader r = new RingReader(ring, true)) {
            assertNull(r.peek(Duration.ofMillis(10)));
            assertFalse(r.isEnded());
            ring.finish();
            assertNull(r.peek(Duration.ofMillis(10)));
            assertTrue(r.isEnded());
        }
    }

    @Test
    void aBlockLargerThanHalfTheRingIsCountedNotWritten() throws Exception {
        ExportRing ring = new ExportRing("r8", 0, 1024);
        byte[] big = new byte[600];
        ring.write(big, 0, big.length);
        assertEquals(1L, ring.report().get("oversize"));
        assertEquals(0L, ring.written());
    }

    /**
     * A writer lapping a small ring while four readers read and peek: every block a reader accepts is
     * intact (its bytes derive from its sequence number), sequence numbers only grow, and the readers
     * that fell behind counted overruns instead of returning torn bytes.
     */
    @RepeatedTest(3)
    void concurrentReadersNeverAcceptATornBlock() throws Exception {
        ExportRing ring = new ExportRing("r9", 0, 8192);
        int blocks = 200_000;
        List<long[]> results = new ArrayList<>();
        try (TaskletScope scope = TaskletScope.failFast("ring-stress").open()) {
            List<Tasklet<long[]>> readers = new ArrayList<>();
            CountDownLatch ready = new CountDownLatch(4);
            for (int k = 0; k < 4; k++) {
                boolean peek = k % 2 == 1;
                readers.add(scope.fork("reader " + k, () -> {
                    try (StreamReader r = new RingReader(ring, true)) {
                        ready.countDown();
                        return peek ? peekAll(r) : readAll(r);
                    }
                }));
            }
            ready.await();
            byte[] b = new byte[64];
            for (int i = 0; i < blocks; i++) {
                int len = 8 + i % 50;
                fill(b, i, len);
                ring.write(b, 0, len);
                if (i % 64 == 0) {
                    dev.warren.tasklets.Fairness.checkpoint();
                }
            }
            ring.finish();
            for (Tasklet<long[]> t : readers) {
                results.add(t.join());
            }
        }
        for (long[] r : results) {
            assertTrue(r[0] > 0, "a reader read nothing");
            assertEquals(blocks - 1, r[1], "every reader reaches the last block");
        }
    }

    private static void fill(byte[] b, int seq, int len) {
        for (int j = 0; j < 4; j++) {
            b[j] = (byte) (seq >>> (24 - 8 * j));
        }
        for (int j = 4; j < len; j++) {
            b[j] = (byte) (seq * 31 + j);
        }
    }

    /** Checks a block; returns its sequence number. */
    private static int verify(byte[] b, int off, int len) {
        int seq = 0;
        for (int j = 0; j < 4; j++) {
            seq = seq << 8 | (b[off + j] & 0xFF);
        }
        if (len != 8 + seq % 50) {
            throw new AssertionError("block " + seq + " has length " + len);
        }
        for (int j = 4; j < len; j++) {
            if (b[off + j] != (byte) (seq * 31 + j)) {
                throw new AssertionError("block " + seq + " is torn at byte " + j);
            }
        }
        return seq;
    }

    private static long[] readAll(StreamReader r) throws InterruptedException {
        byte[] dst = new byte[64];
        long count = 0;
        int last = -1;
        for (int n; (n = r.read(dst, 0, dst.length)) >= 0; count++) {
            int seq = verify(dst, 0, n);
            if (seq <= last) {
                throw new AssertionError("sequence went back from " + last + " to " + seq);
            }
            last = seq;
        }
        return new long[] {count, last};
    }

    private static long[] peekAll(StreamReader r) throws InterruptedException {
        byte[] copy = new byte[64];
        long count = 0;
        int last = -1;
        long stamp = r.check(-1);
        for (ByteBuffer v; (v = r.peek()) != null; ) {
            int n = v.remaining();
            v.get(copy, 0, n);
            long next = r.check(stamp);
            if (next < 0) {
                stamp = r.check(-1); // the view may have been overwritten: discard it
                continue;
            }
            stamp = next;
            int seq = verify(copy, 0, n);
            if (seq <= last) {
                throw new AssertionError("sequence went back from " + last + " to " + seq);
            }
            last = seq;
            count++;
        }
        return new long[] {count, last};
    }

    @Test
    void aDatapathsExportIsReadByNameAndItsCloseEndsTheReaders() throws Exception {
        StreamReader r;
        try (Datapath dp = Datapaths.insert("(gen,count=100,size=20,export,name=sr10) > (count)")) {
            r = Streams.open("sr10");
            assertTrue(Streams.names().contains("sr10"));
            assertTrue(dp.awaitDone(Duration.ofSeconds(20)));
        }
        assertFalse(Streams.exists("sr10"), "the name is released at close");
        byte[] dst = new byte[64];
        int blocks = 0;
        for (int n; (n = r.read(dst, 0, dst.length)) >= 0; blocks++) {
            assertEquals(20, n);
            assertEquals(
                    (blocks + 1) + " ",
                    new String(dst, 0, String.valueOf(blocks + 1).length() + 1, StandardCharsets.UTF_8));
        }
        assertEquals(100, blocks, "what the ring held is read, then the end");
        r.close();
        NoSuchElementException e = assertThrows(NoSuchElementException.class, () -> Streams.open("sr10"));
        assertTrue(e.getMessage().startsWith("no exported stream named 'sr10'"), e.getMessage());
    }

    @Test
    void aNameIsExportedByOneDatapathAtATime() throws Exception {
        try (Datapath dp = Datapaths.insert("(gen,interval=1s,export,name=sr11) > (count)")) {
            RequestException e = assertThrows(
                    RequestException.class, () -> Datapaths.insert("(gen,count=1) > (count,export,name=sr11)"));
            assertEquals("stream 'sr11' is already exported by datapath " + dp.id(), e.reason());
            assertArrayEquals(new Object[] {"sr11"}, dp.exports().toArray());
        }
    }
}

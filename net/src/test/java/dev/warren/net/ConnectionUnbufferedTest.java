package dev.warren.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ConnectionUnbufferedTest {

    @Test
    void readByteUnbufferedServesBufferedBytesFirstThenReadsWithoutABuffer() throws Exception {
        BlockingQueue<String> seen = new ArrayBlockingQueue<>(10);
        try (TcpServer server = TcpServerTest.local()
                        .handler(c -> {
                            StringBuilder sb = new StringBuilder();
                            sb.append((char) c.readByte()); // 'a', and "bc\n" stay buffered
                            sb.append((char) c.readByteUnbuffered()); // 'b' from the buffer
                            sb.append(c.readLine(100)); // "c"
                            seen.add(sb.toString());
                            c.writeLine("ok").flush();
                            int x = c.readByteUnbuffered(); // nothing buffered: waits with no buffer at all
                            seen.add((char) x + c.readLine(100)); // the buffer comes back for the rest
                            seen.add(String.valueOf(c.readByteUnbuffered())); // end of stream
                        })
                        .start();
                Connection client = TcpServerTest.connect(server)) {
            client.write("abc\n".getBytes(java.nio.charset.StandardCharsets.UTF_8))
                    .flush();
            assertEquals("abc", seen.poll(10, TimeUnit.SECONDS));
            assertEquals("ok", client.readLine(10));
            client.write("xyz\n".getBytes(java.nio.charset.StandardCharsets.UTF_8))
                    .flush();
            assertEquals("xyz", seen.poll(10, TimeUnit.SECONDS));
            client.shutdownOutput();
            assertEquals("-1", seen.poll(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void messagesLargerThanTheSmallBuffersAfterAnUnbufferedWaitArriveWhole() throws Exception {
        String longLine = "x".repeat(3000); // six times the small input buffer
        BlockingQueue<String> seen = new ArrayBlockingQueue<>(10);
        try (TcpServer server = TcpServerTest.local()
                        .handler(c -> {
                            int first = c.readByteUnbuffered(); // waits in the small buffer
                            seen.add((char) first + c.readLine(5000));
                            c.write(("r" + longLine)
                                    .getBytes(java.nio.charset.StandardCharsets.UTF_8)); // grows the output buffer
                            c.writeLine("").flush();
                            int second = c.readByteUnbuffered(); // small buffers again
                            seen.add(String.valueOf((char) second));
                            seen.add(String.valueOf(c.readInt())); // read on in the small buffer
                        })
                        .start();
                Connection client = TcpServerTest.connect(server)) {
            client.writeLine(longLine).flush();
            assertEquals(longLine, seen.poll(10, TimeUnit.SECONDS));
            assertEquals("r" + longLine, client.readLine(5000));
            client.writeByte('y').flush();
            assertEquals("y", seen.poll(10, TimeUnit.SECONDS));
            client.writeInt(123_456_789).flush();
            assertEquals("123456789", seen.poll(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void readByteUnbufferedInputLeavesTheOutputToWritersOfOtherTasklets() throws Exception {
        int lines = 200;
        String body = "w".repeat(2000); // four times the small output buffer: writers use the full one
        BlockingQueue<String> seen = new ArrayBlockingQueue<>(lines + 1);
        try (TcpServer server = TcpServerTest.local()
                        .handler(c -> {
                            java.util.concurrent.locks.ReentrantLock writeLock =
                                    new java.util.concurrent.locks.ReentrantLock();
                            dev.warren.tasklets.Tasklet<Void> writer =
                                    dev.warren.tasklets.Tasklets.start("writer", () -> {
                                        for (int i = 0; i < lines; i++) {
                                            writeLock.lock();
                                            try {
                                                c.writeLine(i + body).flush();
                                            } finally {
                                                writeLock.unlock();
                                            }
                                        }
                                    });
                            for (int i = 0; i < lines; i++) {
                                int first = c.readByteUnbufferedInput(); // waits while the writer writes
                                seen.add((char) first + c.readLine(100));
                            }
                            writer.join();
                        })
                        .start();
                Connection client = TcpServerTest.connect(server)) {
            for (int i = 0; i < lines; i++) {
                client.writeLine("r" + i).flush();
                assertEquals(i + body, client.readLine(5000), "line " + i + " arrives whole and in order");
                assertEquals("r" + i, seen.poll(10, TimeUnit.SECONDS));
            }
        }
    }

    @Test
    void releasedOutputBuffersComeBackForTheNextWriteAndPendingBytesAreKept() throws Exception {
        try (TcpServer server = TcpServerTest.local()
                        .handler(c -> {
                            c.writeLine("one").flush();
                            c.releaseOutputBuffers(); // empty: dropped
                            c.writeLine("two"); // a new small buffer
                            c.releaseOutputBuffers(); // holds "two": kept
                            c.writeLine("x".repeat(3000)).flush(); // grows past the small buffer
                            c.releaseOutputBuffers();
                            c.writeLine("three").flush();
                        })
                        .start();
                Connection client = TcpServerTest.connect(server)) {
            assertEquals("one", client.readLine(100));
            assertEquals("two", client.readLine(100));
            assertEquals("x".repeat(3000), client.readLine(5000));
            assertEquals("three", client.readLine(100));
        }
    }
}

package dev.warren.net;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Buffering, line and fixed-size reads of {@link ConnectionImpl} over in-memory bytes, every chunking. */
class ConnectionBufferTest {

    @Test
    void manySmallWritesLeaveInOneSystemCall() throws IOException {
        FakeSocket s = new FakeSocket(new byte[0], 1);
        ConnectionImpl c = new ConnectionImpl(
                s,
                true,
                8192,
                8192,
                new java.util.concurrent.atomic.LongAdder(),
                new java.util.concurrent.atomic.LongAdder());
        for (int i = 0; i < 500; i++) {
            byte[] msg = ("m" + i + ";").getBytes(UTF_8);
            c.writeInt(msg.length).write(msg);
        }
        assertEquals(0, s.writes.size(), "nothing reaches the socket before flush");
        c.flush();
        assertEquals(1, s.writes.size(), "one flush, one write call");
        c.flush();
        assertEquals(1, s.writes.size(), "an empty flush writes nothing");
    }

    @Test
    void aFullBufferIsWrittenAndLargeWritesBypassIt() throws IOException {
        FakeSocket s = new FakeSocket(new byte[0], 1);
        ConnectionImpl c = new ConnectionImpl(
                s,
                true,
                64,
                64,
                new java.util.concurrent.atomic.LongAdder(),
                new java.util.concurrent.atomic.LongAdder());
        byte[] ten = "0123456789".getBytes(UTF_8);
        for (int i = 0; i < 10; i++) {
            c.write(ten); // 100 bytes through a 64-byte buffer
        }
        byte[] big = new byte[200];
        java.util.Arrays.fill(big, (byte) 'x');
        c.write(big);
        c.writeLine("end");
        c.flush();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (int i = 0; i < 10; i++) {
            expected.writeBytes(ten);
        }
        expected.writeBytes(big);
        expected.writeBytes("end\n".getBytes(UTF_8));
        assertArrayEquals(expected.toByteArray(), s.written());
        assertTrue(s.writes.size() <= 4, "writes: " + s.writes.size());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 5, 7, 64, 1000})
    void linesSplitAtEveryChunkSize(int chunk) throws IOException {
        String text = "alpha\r\nbeta\n\n" + "g".repeat(150) + "\nlast\r\n";
        ConnectionImpl c = FakeSocket.connection(text.getBytes(UTF_8), chunk, 64);
        assertEquals("alpha", c.readLine(150));
        assertEquals("beta", c.readLine(150));
        assertEquals("", c.readLine(150));
        assertEquals("g".repeat(150), c.readLine(150), "a line longer than the buffer but within the limit");
        assertEquals("last", c.readLine(150));
        assertNull(c.readLine(150), "clean end of stream at a line boundary");
        assertNull(c.readLine(150), "and it stays ended");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 64, 1000})
    void lineLimitIsExactAndExcludesTheTerminator(int chunk) throws IOException {
        ConnectionImpl ok = FakeSocket.connection("12345\r\n12345\n".getBytes(UTF_8), chunk, 64);
        assertEquals("12345", ok.readLine(5));
        assertEquals("12345", ok.readLine(5));

        ConnectionImpl tooLong = FakeSocket.connection("123456\n".getBytes(UTF_8), chunk, 64);
        LineTooLongException e = assertThrows(LineTooLongException.class, () -> tooLong.readLine(5));
        assertEquals("line longer than 5 bytes (terminator excluded)", e.getMessage());

        ConnectionImpl tooLongCr = FakeSocket.connection("123456\r\n".getBytes(UTF_8), chunk, 64);
        assertThrows(LineTooLongException.class, () -> tooLongCr.readLine(5));

        ConnectionImpl endless = FakeSocket.connection("x".repeat(10_000).getBytes(UTF_8), chunk, 64);
        assertThrows(LineTooLongException.class, () -> endless.readLine(100), "no need to read to the end");
    }

    @Test
    void endOfStreamInsideALineIsNotACleanEnd() throws IOException {
        ConnectionImpl c = FakeSocket.connection("done\npartial".getBytes(UTF_8), 3, 64);
        assertEquals("done", c.readLine(100));
        ConnectionClosedException e = assertThrows(ConnectionClosedException.class, () -> c.readLine(100));
        assertEquals(7, e.bytesRead());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 5, 64})
    void fixedSizeValuesAcrossChunks(int chunk) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        FakeSocket out = new FakeSocket(new byte[0], 1);
        ConnectionImpl w = new ConnectionImpl(
                out,
                false,
                64,
                64,
                new java.util.concurrent.atomic.LongAdder(),
                new java.util.concurrent.atomic.LongAdder());
        for (int i = 0; i < 20; i++) {
            w.writeInt(-i * 123_457)
                    .writeShort(i * 1000)
                    .writeLong(Long.MIN_VALUE + i)
                    .writeByte(i);
        }
        w.flush();
        bytes.writeBytes(out.written());
        ConnectionImpl r = FakeSocket.connection(bytes.toByteArray(), chunk, 64);
        for (int i = 0; i < 20; i++) {
            assertEquals(-i * 123_457, r.readInt());
            assertEquals((short) (i * 1000), r.readShort());
            assertEquals(Long.MIN_VALUE + i, r.readLong());
            assertEquals(i, r.readByte());
        }
        assertEquals(-1, r.readByte());
        assertThrows(ConnectionClosedException.class, r::readInt);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 64, 5000})
    void readFullyAndReadUpTo(int chunk) throws IOException {
        byte[] data = new byte[3000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31);
        }
        ConnectionImpl c = FakeSocket.connection(data, chunk, 64);
        byte[] head = new byte[10];
        assertEquals(10, c.readFully(head, 0, 10));
        byte[] big = new byte[2000]; // larger than the buffer: read straight into the array
        assertEquals(2000, c.readFully(big, 0, 2000));
        byte[] some = new byte[5000];
        int n = c.readUpTo(some, 0, 5000);
        assertTrue(n > 0 && n <= 990);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.write(head, 0, 10);
        all.write(big, 0, 2000);
        all.write(some, 0, n);
        byte[] rest = new byte[990 - n];
        assertEquals(rest.length, c.readFully(rest, 0, rest.length));
        all.write(rest, 0, rest.length);
        assertArrayEquals(data, all.toByteArray());
        assertEquals(-1, c.readFully(new byte[4], 0, 4), "end of stream before the first byte");
        assertEquals(-1, c.readUpTo(new byte[4], 0, 4));
    }

    @Test
    void readFullyReportsHowFarItGot() throws IOException {
        ConnectionImpl c = FakeSocket.connection(new byte[] {1, 2, 3}, 2, 64);
        ConnectionClosedException e =
                assertThrows(ConnectionClosedException.class, () -> c.readFully(new byte[8], 0, 8));
        assertEquals(3, e.bytesRead());
        assertEquals(8, e.bytesExpected());
    }
}

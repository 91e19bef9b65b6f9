package dev.warren.bench;

import dev.warren.net.frame.FrameDecoder;
import dev.warren.net.frame.FrameFormat;
import dev.warren.net.frame.FrameReader;
import dev.warren.net.frame.FrameWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Encode + decode of 110-byte messages (the BuffStreams benchmark size) in batches of {@value #BATCH},
 * in both wire formats. Scores are per message.
 *
 * <ul>
 *   <li>{@code buffer}: {@link FrameFormat#encode} into a heap buffer, then {@link FrameDecoder} over
 *       it; the codec alone.
 *   <li>{@code stream}: {@link FrameWriter} into an in-memory stream, then {@link FrameReader#readView}
 *       out of it with 8 KiB reads; the path a connection tasklet takes, minus the socket.
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FrameCodecBench {

    static final int BATCH = 1000;
    static final int SIZE = 110;

    @Param({"buffstreams", "fixed32"})
    public String format;

    private FrameFormat frameFormat;
    private byte[] message;
    private ByteBuffer wire;
    private FrameDecoder decoder;
    private MemoryOut sink;
    private MemoryIn source;
    private FrameWriter writer;
    private FrameReader reader;

    @Setup
    public void setup() {
        frameFormat = switch (format) {
            case "buffstreams" -> FrameFormat.buffStreams(4096);
            case "fixed32" -> FrameFormat.fixed32(4096);
            default -> throw new IllegalArgumentException("format must be buffstreams or fixed32, was " + format);
        };
        message = new byte[SIZE];
        Arrays.fill(message, (byte) 'x');
        wire = ByteBuffer.allocate(BATCH * frameFormat.frameSize(SIZE));
        decoder = FrameDecoder.of(frameFormat);
        sink = new MemoryOut(BATCH * frameFormat.frameSize(SIZE));
        source = new MemoryIn(sink);
        writer = FrameWriter.of(sink, frameFormat);
        reader = FrameReader.of(source, frameFormat);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void buffer(Blackhole bh) throws IOException {
        wire.clear();
        for (int i = 0; i < BATCH; i++) {
            frameFormat.encode(message, wire);
        }
        wire.flip();
        ByteBuffer payload;
        while ((payload = decoder.next(wire)) != null) {
            bh.consume(payload.get(payload.position() + SIZE - 1));
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void stream(Blackhole bh) throws IOException {
        sink.reset();
        for (int i = 0; i < BATCH; i++) {
            writer.write(message);
        }
        writer.flush();
        source.rewind();
        for (int i = 0; i < BATCH; i++) {
            ByteBuffer payload = reader.readView();
            bh.consume(payload.get(payload.position() + SIZE - 1));
        }
    }

    /** An unsynchronized, reusable in-memory output stream (ByteArrayOutputStream locks on every call). */
    static final class MemoryOut extends OutputStream {
        final byte[] bytes;
        int size;

        MemoryOut(int capacity) {
            bytes = new byte[capacity];
        }

        void reset() {
            size = 0;
        }

        @Override
        public void write(int b) {
            bytes[size++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            System.arraycopy(b, off, bytes, size, len);
            size += len;
        }
    }

    /** Reads back what a {@link MemoryOut} holds, from its start again after {@link #rewind()}. */
    static final class MemoryIn extends InputStream {
        private final MemoryOut from;
        private int pos;

        MemoryIn(MemoryOut from) {
            this.from = from;
        }

        void rewind() {
            pos = 0;
        }

        @Override
        public int read() {
            return pos < from.size ? from.bytes[pos++] & 0xFF : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            int n = Math.min(len, from.size - pos);
            if (n <= 0) {
                return -1;
            }
            System.arraycopy(from.bytes, pos, b, off, n);
            pos += n;
            return n;
        }
    }
}

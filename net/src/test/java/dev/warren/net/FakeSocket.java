package dev.warren.net;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;

/** A socket over in-memory bytes: input delivered in fixed-size chunks, output writes recorded one by one. */
final class FakeSocket extends Socket {
    final byte[] input;
    final int chunk;
    int inPos;
    final List<byte[]> writes = new ArrayList<>();

    FakeSocket(byte[] input, int chunk) {
        this.input = input;
        this.chunk = chunk;
    }

    static ConnectionImpl connection(byte[] input, int chunk, int bufferSize) throws IOException {
        return new ConnectionImpl(
                new FakeSocket(input, chunk),
                true,
                bufferSize,
                bufferSize,
                new java.util.concurrent.atomic.LongAdder(),
                new java.util.concurrent.atomic.LongAdder());
    }

    byte[] written() {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        writes.forEach(all::writeBytes);
        return all.toByteArray();
    }

    @Override
    public InputStream getInputStream() {
        return new InputStream() {
            @Override
            public int read() {
                throw new UnsupportedOperationException("single-byte reads must not reach the socket");
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (inPos == input.length) {
                    return -1;
                }
                int n = Math.min(Math.min(chunk, len), input.length - inPos);
                System.arraycopy(input, inPos, b, off, n);
                inPos += n;
                return n;
            }
        };
    }

    @Override
    public OutputStream getOutputStream() {
        return new OutputStream() {
            @Override
            public void write(int b) {
                throw new UnsupportedOperationException("single-byte writes must not reach the socket");
            }

            @Override
            public void write(byte[] b, int off, int len) {
                writes.add(java.util.Arrays.copyOfRange(b, off, off + len));
            }
        };
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        return new InetSocketAddress("127.0.0.1", 40000);
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return new InetSocketAddress("127.0.0.1", 5555);
    }
}

package dev.warren.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Transport} over a blocking {@link Socket}: its own streams, unbuffered (the buffers are
 * above the transport). On a virtual thread the JDK parks a blocked read or write on its I/O poller.
 *
 * <p><b>Threading</b> as {@link Transport}: the socket's streams allow one reader and one writer at a
 * time, and {@link Socket#close()} from any thread ends a blocked read or write.
 */
final class SocketTransport implements Transport {
    private static final Logger LOG = LoggerFactory.getLogger(SocketTransport.class);

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    SocketTransport(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    @Override
    public Socket socket() {
        return socket;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        return in.read(b, off, len);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
    }

    @Override
    public void readTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    @Override
    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            LOG.debug("closing {}", socket, e);
        }
    }

    @Override
    public void whenReleased(Runnable r) {
        r.run(); // a blocking socket's descriptor is gone when close returns
    }
}

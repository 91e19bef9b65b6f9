package dev.warren.net;

import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * What a {@link UdpReceiver} does with each datagram.
 *
 * <p><b>Threading.</b> Called on the receiver's tasklet, one datagram at a time, in arrival order.
 * While it runs no further datagram is read (they queue in the socket's receive buffer, and beyond it
 * the kernel drops them, which {@link UdpStats#kernelDrops()} reports), so it should be quick or hand
 * the work to other tasklets.
 *
 * <p><b>Ownership.</b> {@code data} is the receiver's reusable buffer, positioned at the datagram's
 * first byte with its limit after the last; it is valid only during the call. Copy what you keep.
 * A handler that throws is logged and counted ({@link UdpStats#handlerErrors()}); the receiver goes on.
 */
@FunctionalInterface
public interface DatagramHandler {
    void onDatagram(ByteBuffer data, SocketAddress sender) throws Exception;
}

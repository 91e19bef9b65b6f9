package dev.warren.bench;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;

/**
 * The Netty transport a peer runs on: NIO (pure Java, every platform) or the native epoll transport
 * (what Netty users run on Linux, and Netty's fastest there). Netty 4.2's event loops: a {@link
 * MultiThreadIoEventLoopGroup} with the transport's I/O handler.
 */
enum NettyTransport {
    NIO,
    EPOLL;

    /** {@code netty} is NIO, {@code netty-epoll} epoll; anything else is not a Netty peer (null). */
    static NettyTransport ofPeer(String peer) {
        return switch (peer) {
            case "netty" -> NIO;
            case "netty-epoll" -> EPOLL;
            default -> null;
        };
    }

    /** An event-loop group of {@code threads} loops (0: Netty's default, two per processor). */
    EventLoopGroup group(int threads) {
        IoHandlerFactory io;
        if (this == EPOLL) {
            Epoll.ensureAvailability(); // fails loudly with the reason rather than measuring NIO by mistake
            io = EpollIoHandler.newFactory();
        } else {
            io = NioIoHandler.newFactory();
        }
        return new MultiThreadIoEventLoopGroup(threads, io);
    }

    Class<? extends ServerChannel> serverChannel() {
        return this == EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }
}

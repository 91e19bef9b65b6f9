package dev.warren.bench;

import dev.warren.net.frame.FrameFormat;
import dev.warren.net.frame.MessageHandler;
import dev.warren.net.frame.MessageServer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * One message server in its own process, for {@link MsgSideBySide}: {@code MsgPeerServer
 * warren|netty|netty-epoll sink|echo MAXSIZE}. Both speak fixed32 frames (4-byte big-endian length) on 127.0.0.1, port chosen by
 * the kernel. It prints {@code READY <port>}, then answers commands on stdin, one per line:
 * {@code conns} (open connections), {@code msgs} (messages received), {@code mem} (heap used after GC
 * and the process's RSS, in bytes), {@code quit}.
 *
 * <p>Warren: a {@link MessageServer} with {@code FrameFormat.fixed32(MAXSIZE)}; the echo handler is
 * {@code conn.reply(payload)}. Netty 4.2 (NIO or native epoll transport, default event-loop threads):
 * {@code LengthFieldBasedFrameDecoder(MAXSIZE + 4, 0, 4, 0, 4)}; the echo writes each frame back through
 * a {@code LengthFieldPrepender(4)} and flushes on {@code channelReadComplete}, Netty's idiom for
 * batching.
 */
public final class MsgPeerServer {
    private MsgPeerServer() {}

    interface Running {
        int port();

        long connections();

        long messages();

        void close() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: MsgPeerServer warren|netty|netty-epoll sink|echo MAXSIZE");
            System.exit(2);
        }
        boolean echo = switch (args[1]) {
            case "sink" -> false;
            case "echo" -> true;
            default -> throw new IllegalArgumentException("mode must be sink or echo, was " + args[1]);
        };
        int max = Integer.parseInt(args[2]);
        Running server = switch (args[0]) {
            case "warren" -> warren(echo, max);
            case "netty", "netty-epoll" -> netty(echo, max, NettyTransport.ofPeer(args[0]));
            default ->
                throw new IllegalArgumentException("server must be warren, netty or netty-epoll, was " + args[0]);
        };
        System.out.println("READY " + server.port());
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            switch (line.trim()) {
                case "conns" -> System.out.println("CONNS " + server.connections());
                case "msgs" -> System.out.println("MSGS " + server.messages());
                case "mem" -> System.out.println("MEM " + heapAfterGc() + " " + rss());
                case "quit" -> {
                    server.close();
                    System.out.println("BYE");
                    System.out.flush();
                    return;
                }
                default -> System.out.println("ERR unknown command '" + line + "'");
            }
            System.out.flush();
        }
        server.close();
    }

    static long heapAfterGc() throws InterruptedException {
        var mem = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return mem.getHeapMemoryUsage().getUsed();
    }

    /** VmRSS of this process in bytes, from /proc (Linux); -1 elsewhere. */
    static long rss() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("VmRSS:")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (java.io.IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    static Running warren(boolean echo, int max) {
        LongAdder count = new LongAdder();
        MessageHandler handler = echo
                ? (conn, payload) -> {
                    count.increment();
                    conn.reply(payload);
                }
                : (conn, payload) -> count.increment();
        MessageServer s = MessageServer.builder()
                .name("bench-warren")
                .bindAddress("127.0.0.1")
                .port(0)
                .format(FrameFormat.fixed32(max))
                .handler(handler)
                .start();
        return new Running() {
            @Override
            public int port() {
                return s.port();
            }

            @Override
            public long connections() {
                return s.stats().tcp().active();
            }

            @Override
            public long messages() {
                return count.sum();
            }

            @Override
            public void close() {
                s.close();
            }
        };
    }

    /** Counts and drops (sink) or returns (echo) each frame; one instance shared by every channel. */
    @ChannelHandler.Sharable
    static final class NettyHandler extends ChannelInboundHandlerAdapter {
        final boolean echo;
        final LongAdder count = new LongAdder();
        final AtomicLong open = new AtomicLong();

        NettyHandler(boolean echo) {
            this.echo = echo;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            open.incrementAndGet();
            ctx.fireChannelActive();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            open.decrementAndGet();
            ctx.fireChannelInactive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            count.increment();
            if (echo) {
                ctx.write(msg, ctx.voidPromise());
            } else {
                ((ByteBuf) msg).release();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (echo) {
                ctx.flush();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    static Running netty(boolean echo, int max, NettyTransport transport) throws InterruptedException {
        EventLoopGroup boss = transport.group(1);
        EventLoopGroup workers = transport.group(0);
        NettyHandler handler = new NettyHandler(echo);
        LengthFieldPrepender prepender = new LengthFieldPrepender(4);
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (echo) {
                            ch.pipeline().addLast(prepender);
                        }
                        ch.pipeline()
                                .addLast(new LengthFieldBasedFrameDecoder(max + 4, 0, 4, 0, 4))
                                .addLast(handler);
                    }
                });
        Channel server = b.bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        int port = ((InetSocketAddress) server.localAddress()).getPort();
        return new Running() {
            @Override
            public int port() {
                return port;
            }

            @Override
            public long connections() {
                return handler.open.get();
            }

            @Override
            public long messages() {
                return handler.count.sum();
            }

            @Override
            public void close() throws InterruptedException {
                server.close()
                        .addListener(ChannelFutureListener.CLOSE_ON_FAILURE)
                        .sync();
                boss.shutdownGracefully().sync();
                workers.shutdownGracefully().sync();
            }
        };
    }
}

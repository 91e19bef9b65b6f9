package dev.warren.bench;

import dev.warren.net.http.HttpServer;
import dev.warren.net.http.Response;
import dev.warren.net.http.Router;
import dev.warren.net.http.WebSocketMessage;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.nio.charset.StandardCharsets;

/**
 * The servers of the WebSocket side-by-side run ({@link WsSideBySide}): an echo at {@code /ws} (text back
 * as text, binary as binary) and {@code GET /mem} (heap after GC), by Warren's
 * {@code Router.websocket} or by Netty 4.2's WebSocket codec ({@code WebSocketServerProtocolHandler}, the
 * textbook pipeline) on its NIO or native epoll transport.
 *
 * <p>{@code java ... dev.warren.bench.WsPeer warren|netty|netty-epoll PORT}; runs until killed.
 */
public final class WsPeer {
    private WsPeer() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !(args[0].equals("warren") || NettyTransport.ofPeer(args[0]) != null)) {
            System.err.println("usage: WsPeer warren|netty|netty-epoll PORT");
            System.exit(2);
        }
        int port = Integer.parseInt(args[1]);
        if (args[0].equals("warren")) {
            warren(port);
        } else {
            netty(port, NettyTransport.ofPeer(args[0]));
        }
    }

    private static void warren(int port) throws InterruptedException {
        Router router = Router.builder()
                .websocket("/ws", ws -> {
                    for (WebSocketMessage m; (m = ws.receive()) != null; ) {
                        if (m.isText()) {
                            ws.sendText(m.text());
                        } else {
                            ws.sendBinary(m.bytes());
                        }
                    }
                })
                .get("/mem", req -> Response.ok(HttpPeer.heapAfterGc() + "\n"))
                .build();
        HttpServer server =
                HttpServer.builder().port(port).backlog(4096).handler(router).start();
        System.out.println("warren peer listening on " + server.port());
        server.awaitTermination();
    }

    private static void netty(int port, NettyTransport transport) throws InterruptedException {
        EventLoopGroup boss = transport.group(1);
        EventLoopGroup workers = transport.group(0);
        try {
            Channel ch = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(transport.serverChannel())
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel c) {
                            c.pipeline()
                                    .addLast(
                                            new HttpServerCodec(),
                                            new HttpObjectAggregator(65536),
                                            new WebSocketServerProtocolHandler("/ws", null, false, 1 << 20),
                                            new MemHandler(),
                                            new Echo());
                        }
                    })
                    .bind(port)
                    .sync()
                    .channel();
            System.out.println("netty peer (" + transport + ") listening on " + port);
            ch.closeFuture().sync();
        } finally {
            boss.shutdownGracefully();
            workers.shutdownGracefully();
        }
    }

    /** Echoes data frames; written per frame, flushed when the read batch is done (Netty's usual way). */
    private static final class Echo extends SimpleChannelInboundHandler<WebSocketFrame> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame) {
                ctx.write(frame.retain());
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }
    }

    /** {@code GET /mem}: what the WebSocket handler passes on (plain HTTP requests). */
    private static final class MemHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            byte[] body = (HttpPeer.heapAfterGc() + "\n").getBytes(StandardCharsets.UTF_8);
            DefaultFullHttpResponse r = new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
            r.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, "text/plain")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            ctx.writeAndFlush(r);
        }
    }
}

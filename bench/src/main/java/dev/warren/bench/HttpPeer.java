package dev.warren.bench;

import dev.warren.net.http.HttpServer;
import dev.warren.net.http.Response;
import dev.warren.net.http.Router;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The two sides of the HTTP side-by-side run ({@code build/run-bench.sh}, {@code SIDE=http}): the same
 * canned page as {@code ./http_server}'s {@code /} (same bytes, same Content-Type, a Date header), served
 * keep-alive by Warren's {@link HttpServer} or by Netty 4.2's HTTP/1.1 codec on its NIO or native epoll
 * transport (the textbook pipeline: {@code HttpServerCodec}, write per request, flush on read-complete).
 *
 * <p>{@code java ... dev.warren.bench.HttpPeer warren|netty|netty-epoll PORT}; runs until killed. With {@code
 * -Dwarren.reactor=false} Warren's connections read their own sockets instead of through the server's
 * reactor (the A/B in docs/BENCHMARKS.md). With {@code -Dwarren.bench.admin=PORT} an admin server runs beside
 * it ({@code SIDE=metrics} scrapes its {@code /metrics}). With {@code -Dwarren.bench.tls.cert=PEM
 * -Dwarren.bench.tls.key=PEM} both serve HTTPS with that certificate and key ({@code SIDE=tls}): Warren with
 * its {@code TlsTransport}, Netty with an {@code SslHandler} on the JDK's provider ({@code SslProvider.JDK}),
 * both on the same JSSE, ALPN {@code http/1.1}, TLS 1.3 and 1.2.
 */
public final class HttpPeer {
    /** The page of {@code ./http_server}, byte for byte (demos/.../HttpServerDemo.PAGE). */
    static final byte[] PAGE = """
            <!DOCTYPE html>
            <html>
            <head><title>Warren</title></head>
            <body>
            <h1>Hello from Warren</h1>
            <p>This page was served by a tasklet: one virtual thread per connection, reading its socket in
            plain blocking style.</p>
            </body>
            </html>
            """.getBytes(StandardCharsets.UTF_8);

    private static final String TYPE = "text/html; charset=utf-8";

    private HttpPeer() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !(args[0].equals("warren") || NettyTransport.ofPeer(args[0]) != null)) {
            System.err.println("usage: HttpPeer warren|netty|netty-epoll PORT");
            System.exit(2);
        }
        int port = Integer.parseInt(args[1]);
        if (args[0].equals("warren")) {
            warren(port);
        } else {
            netty(port, NettyTransport.ofPeer(args[0]));
        }
    }

    private static void warren(int port) throws InterruptedException, java.io.IOException {
        Router router = Router.builder()
                .get("/", req -> Response.status(200).body(PAGE, TYPE))
                .get("/sleep", req -> {
                    Thread.sleep(Integer.parseInt(req.queryParam("ms"))); // parks this connection's tasklet
                    return Response.ok("slept\n");
                })
                .get("/mem", req -> Response.ok(heapAfterGc() + "\n"))
                .build();
        HttpServer.Builder b = HttpServer.builder()
                .port(port)
                .backlog(4096)
                .handler(router)
                .reactor(Boolean.parseBoolean(System.getProperty("warren.reactor", "true")));
        String cert = System.getProperty("warren.bench.tls.cert");
        if (cert != null) {
            javax.net.ssl.SSLContext ctx = dev.warren.net.TlsContexts.fromPem(
                    java.nio.file.Path.of(cert), java.nio.file.Path.of(System.getProperty("warren.bench.tls.key")));
            b.listener(b.listener().withTls(dev.warren.net.TlsOptions.of(ctx)));
        }
        HttpServer server = b.start();
        System.out.println("warren peer listening on " + server.port());
        // make bench SIDE=metrics: the admin server whose /metrics the run scrapes every 100 ms
        Integer admin = Integer.getInteger("warren.bench.admin");
        if (admin != null) {
            dev.warren.net.admin.AdminServer.builder()
                    .port(admin)
                    .pinningMonitor(false)
                    .start();
        }
        server.awaitTermination();
    }

    private static void netty(int port, NettyTransport transport) throws Exception {
        String cert = System.getProperty("warren.bench.tls.cert");
        io.netty.handler.ssl.SslContext tls = cert == null
                ? null
                : io.netty.handler.ssl.SslContextBuilder.forServer(
                                new java.io.File(cert), new java.io.File(System.getProperty("warren.bench.tls.key")))
                        .sslProvider(io.netty.handler.ssl.SslProvider.JDK)
                        .protocols("TLSv1.3", "TLSv1.2")
                        .applicationProtocolConfig(new io.netty.handler.ssl.ApplicationProtocolConfig(
                                io.netty.handler.ssl.ApplicationProtocolConfig.Protocol.ALPN,
                                io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                                io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                                "http/1.1"))
                        .build();
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
                            if (tls != null) {
                                c.pipeline().addLast(tls.newHandler(c.alloc()));
                            }
                            c.pipeline().addLast(new HttpServerCodec(), new PageHandler());
                        }
                    })
                    .bind(port)
                    .sync()
                    .channel();
            System.out.println("netty peer (" + transport + (tls != null ? ", TLS" : "") + ") listening on " + port);
            ch.closeFuture().sync();
        } finally {
            boss.shutdownGracefully();
            workers.shutdownGracefully();
        }
    }

    /** Heap in use after two full collections, in bytes: what live objects hold. */
    static long heapAfterGc() {
        System.gc();
        System.gc();
        return java.lang.management.ManagementFactory.getMemoryMXBean()
                .getHeapMemoryUsage()
                .getUsed();
    }

    private static final DateTimeFormatter IMF_FIXDATE = DateTimeFormatter.ofPattern(
                    "EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
            .withZone(ZoneOffset.UTC);

    /** Answers every request with the page; the Date string is cached per second, as Warren's is. */
    private static final class PageHandler extends SimpleChannelInboundHandler<HttpObject> {
        private long second = -1;
        private String date;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (!(msg instanceof HttpRequest req)) {
                return; // the (empty) content parts of a GET
            }
            long now = System.currentTimeMillis() / 1000;
            if (now != second) {
                second = now;
                date = IMF_FIXDATE.format(Instant.ofEpochSecond(now));
            }
            String uri = req.uri();
            if (uri.startsWith("/sleep?ms=")) { // the event-loop way to wait: a timer, never a blocked thread
                int ms = Integer.parseInt(uri.substring("/sleep?ms=".length()));
                boolean keepAlive = HttpUtil.isKeepAlive(req);
                ctx.executor()
                        .schedule(
                                () -> send(
                                        ctx,
                                        keepAlive,
                                        "slept\n".getBytes(StandardCharsets.UTF_8),
                                        "text/plain; charset=utf-8",
                                        true),
                                ms,
                                java.util.concurrent.TimeUnit.MILLISECONDS);
                return;
            }
            if (uri.equals("/mem")) {
                send(
                        ctx,
                        true,
                        (heapAfterGc() + "\n").getBytes(StandardCharsets.UTF_8),
                        "text/plain; charset=utf-8",
                        true);
                return;
            }
            send(ctx, HttpUtil.isKeepAlive(req), PAGE, TYPE, false);
        }

        private void send(ChannelHandlerContext ctx, boolean keepAlive, byte[] body, String type, boolean flush) {
            FullHttpResponse r = new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
            r.headers()
                    .set(HttpHeaderNames.DATE, date)
                    .set(HttpHeaderNames.CONTENT_TYPE, type)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            if (keepAlive && flush) {
                ctx.writeAndFlush(r);
            } else if (keepAlive) {
                ctx.write(r);
            } else {
                r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}

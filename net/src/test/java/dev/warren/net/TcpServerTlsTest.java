package dev.warren.net;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * TLS on a {@link TcpServer} and {@link TcpClient} over blocking sockets ({@link TcpServerTlsReactorTest}
 * runs every test again with the reactor): both protocol versions, client certificates, session
 * resumption, and each way a handshake fails (not TLS, garbage, a stall, a certificate refused by either
 * side), each closing only that connection with a counted reason while the server serves the next.
 */
class TcpServerTlsTest {
    static final Duration WAIT = Duration.ofSeconds(10);
    static final TestCerts CERTS = TestCerts.get();

    TcpServer server;

    @AfterEach
    void closeServer() {
        if (server != null) {
            server.close();
            TcpServerTest.assertNoTaskletOf(server);
        }
    }

    /** The builder every test starts from; the reactor test turns the reactor on. */
    TcpServer.Builder builder() {
        return TcpServer.builder().bindAddress("127.0.0.1").port(0).drainTimeout(Duration.ofSeconds(2));
    }

    TcpServer start(TlsOptions tls) throws IOException {
        TcpServer.Builder b = builder();
        return b.listener(b.listener().withTls(tls))
                .handler(TcpServerTest.ECHO_LINES)
                .start();
    }

    static TlsOptions serverTls() {
        return TlsOptions.of(CERTS.serverContext());
    }

    static TlsOptions clientTls() {
        return TlsOptions.of(CERTS.clientContext());
    }

    static Connection connect(TcpServer s, String host, TlsOptions tls) throws IOException {
        return TcpClient.connect(
                host, s.port(), ConnectOptions.defaults().withReadTimeout(WAIT).withTls(tls));
    }

    /** A TLS echo exchange on a fresh connection: proves the server still serves. */
    static void assertServes(TcpServer s) throws IOException {
        try (Connection c = connect(s, "localhost", clientTls())) {
            c.writeLine("still here").flush();
            assertEquals("still here", c.readLine(100));
        }
    }

    static long closed(TcpServer s, CloseReason r) {
        return s.stats().closed().get(r);
    }

    @Test
    void echoesOverTls13AndTls12() throws Exception {
        server = start(serverTls());
        for (String version : new String[] {"TLSv1.3", "TLSv1.2"}) {
            try (Connection c = connect(server, "localhost", clientTls().withProtocols(version))) {
                SSLSession session = c.tlsSession().orElseThrow();
                assertEquals(version, session.getProtocol());
                StringBuilder big = new StringBuilder();
                for (int i = 0; i < 5000; i++) {
                    big.append(i % 10);
                }
                for (int i = 0; i < 50; i++) {
                    c.writeLine("line " + i + " ünïcödé " + big).flush();
                    assertEquals("line " + i + " ünïcödé " + big, c.readLine(10_000));
                }
            }
        }
        await().atMost(WAIT).until(() -> closed(server, CloseReason.NORMAL) == 2);
        assertEquals(0, closed(server, CloseReason.TLS_HANDSHAKE));
    }

    @Test
    void bulkBytesBothWaysArriveIntact() throws Exception {
        TcpServer.Builder b = builder();
        server = b.listener(b.listener().withTls(serverTls()))
                .handler(conn -> {
                    byte[] buf = new byte[3000];
                    for (int n; (n = conn.readUpTo(buf, 0, buf.length)) > 0; ) {
                        conn.write(buf, 0, n);
                        if (conn.available() == 0) {
                            conn.flush();
                        }
                    }
                })
                .start();
        byte[] data = new byte[4 << 20];
        new java.util.Random(7).nextBytes(data);
        try (Connection c = connect(server, "127.0.0.1", clientTls())) {
            byte[] back = new byte[data.length];
            dev.warren.tasklets.Tasklet<Void> writer = dev.warren.tasklets.Tasklets.start("tls-writer", () -> {
                c.write(data, 0, data.length);
                c.flush();
                c.shutdownOutput();
                return null;
            });
            assertEquals(data.length, c.readFully(back, 0, back.length));
            writer.join();
            assertArrayEquals(data, back);
            assertEquals(-1, c.readByte());
        }
    }

    /**
     * Between messages a connection holds none of the record-sized buffers, on either side, even after
     * records larger than its resident input buffer went through it both ways.
     */
    @Test
    void recordBuffersAreHeldOnlyWhileARecordIsInFlight() throws Exception {
        BlockingQueue<Integer> serverHeld = new ArrayBlockingQueue<>(64);
        TcpServer.Builder b = builder();
        server = b.listener(b.listener().withTls(serverTls()))
                .handler(conn -> {
                    TlsTransport t = (TlsTransport) ((ConnectionImpl) conn).transport();
                    for (String line; (line = conn.readLine(100_000)) != null; ) {
                        conn.writeLine(line).flush();
                        serverHeld.add(t.borrowedBytes());
                    }
                })
                .start();
        try (Connection c = connect(server, "localhost", clientTls())) {
            TlsTransport t = (TlsTransport) ((ConnectionImpl) c).transport();
            assertEquals(0, t.borrowedBytes(), "after the handshake");
            for (int size : new int[] {10, TlsTransport.RESIDENT * 3, 40_000, 100}) {
                String line = "x".repeat(size);
                c.writeLine(line).flush();
                assertEquals(line, c.readLine(100_000));
                assertEquals(0, t.borrowedBytes(), "client, after a line of " + size);
                assertEquals(0, serverHeld.poll(WAIT.toSeconds(), TimeUnit.SECONDS), "server, after a line of " + size);
            }
        }
    }

    @Test
    void clientCertificateIsRequiredWhenNeeded() throws Exception {
        BlockingQueue<String> subjects = new ArrayBlockingQueue<>(4);
        TcpServer.Builder b = builder();
        server = b.listener(b.listener().withTls(serverTls().withClientAuth(TlsOptions.ClientAuth.NEED)))
                .handler(conn -> {
                    X509Certificate peer =
                            (X509Certificate) conn.tlsSession().orElseThrow().getPeerCertificates()[0];
                    subjects.add(peer.getSubjectX500Principal().getName());
                    TcpServerTest.ECHO_LINES.handle(conn);
                })
                .start();
        try (Connection c = connect(server, "localhost", TlsOptions.of(CERTS.clientContextWithCertificate()))) {
            c.writeLine("me").flush();
            assertEquals("me", c.readLine(100));
        }
        assertEquals("CN=warren-client", subjects.poll(10, TimeUnit.SECONDS));
        // without a certificate: TLS 1.3 tells the client only when it reads; either way it gets nothing
        assertThrows(IOException.class, () -> {
            try (Connection c = connect(server, "localhost", clientTls())) {
                c.writeLine("anonymous").flush();
                c.readLine(100);
            }
        });
        await().atMost(WAIT).until(() -> closed(server, CloseReason.TLS_HANDSHAKE) == 1);
        assertTrue(subjects.isEmpty());
    }

    @Test
    void wantedClientCertificateIsOptional() throws Exception {
        server = start(serverTls().withClientAuth(TlsOptions.ClientAuth.WANT));
        assertServes(server);
        try (Connection c = connect(server, "localhost", TlsOptions.of(CERTS.clientContextWithCertificate()))) {
            c.writeLine("with").flush();
            assertEquals("with", c.readLine(100));
        }
    }

    @Test
    void plaintextToTheTlsPortIsClosedAndCounted() throws Exception {
        server = start(serverTls());
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout((int) WAIT.toMillis());
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEndsSoon(s.getInputStream());
        }
        await().atMost(WAIT).until(() -> closed(server, CloseReason.TLS_HANDSHAKE) == 1);
        assertServes(server);
    }

    @Test
    void garbageToTheTlsPortIsClosedAndCounted() throws Exception {
        server = start(serverTls());
        byte[] garbage = new byte[300];
        new java.util.Random(42).nextBytes(garbage);
        garbage[0] = 0x16; // a handshake record's type, so the engine reads on into the nonsense
        garbage[1] = 3;
        garbage[2] = 3;
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout((int) WAIT.toMillis());
            s.getOutputStream().write(garbage);
            assertEndsSoon(s.getInputStream());
        }
        await().atMost(WAIT).until(() -> closed(server, CloseReason.TLS_HANDSHAKE) == 1);
        assertServes(server);
    }

    @Test
    void aClientThatStallsMidHandshakeIsClosedAfterTheHandshakeTimeout() throws Exception {
        // every connection has this timeout, the one assertServes makes too: long enough for a first
        // handshake in a cold JVM on a loaded machine
        server = start(serverTls().withHandshakeTimeout(Duration.ofSeconds(2)));
        long start = System.nanoTime(); // before the connection: the server's clock starts after it
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout((int) WAIT.toMillis());
            s.getOutputStream().write(new byte[] {0x16, 3, 1, 0, (byte) 200}); // a record header, then nothing
            assertEndsSoon(s.getInputStream());
            // the deadline is checked in whole milliseconds: at most 1 ms early
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(1999), "closed before the timeout");
        }
        await().atMost(WAIT).until(() -> closed(server, CloseReason.TLS_HANDSHAKE_TIMEOUT) == 1);
        assertServes(server);
    }

    @Test
    void aStalledHandshakeDoesNotHoldUpOthers() throws Exception {
        server = start(serverTls().withHandshakeTimeout(WAIT.multipliedBy(3)));
        try (Socket stalled = new Socket("127.0.0.1", server.port())) {
            stalled.getOutputStream().write(new byte[] {0x16, 3, 1});
            for (int i = 0; i < 3; i++) {
                assertServes(server);
            }
        }
    }

    @Test
    void aClientThatDoesNotTrustTheServerFailsAndTheServerCountsIt() throws Exception {
        server = start(serverTls());
        TlsOptions distrustful = TlsOptions.of(TlsContexts.trusting(CERTS.otherCa));
        SSLHandshakeException e =
                assertThrows(SSLHandshakeException.class, () -> connect(server, "localhost", distrustful));
        assertTrue(e.getMessage().contains("localhost:" + server.port()), e.getMessage());
        await().atMost(WAIT).until(() -> closed(server, CloseReason.TLS_HANDSHAKE) == 1);
        assertServes(server);
    }

    @Test
    void theClientChecksTheHostName() throws Exception {
        TcpServer.Builder b = TcpServer.builder().port(0).drainTimeout(Duration.ofSeconds(2));
        b.reactor(builder().listener().reactor());
        server = b.listener(b.listener().withTls(serverTls()))
                .handler(TcpServerTest.ECHO_LINES)
                .start();
        // 127.0.0.2 is this machine too, but the certificate names only localhost and 127.0.0.1
        SSLHandshakeException e =
                assertThrows(SSLHandshakeException.class, () -> connect(server, "127.0.0.2", clientTls()));
        assertTrue(e.getMessage().contains("127.0.0.2"), e.getMessage());
        try (Connection c = connect(server, "127.0.0.2", clientTls().withVerifyHostname(false))) {
            c.writeLine("unchecked").flush();
            assertEquals("unchecked", c.readLine(100));
        }
    }

    @Test
    void aSecondConnectionResumesTheSession() throws Exception {
        server = start(serverTls());
        TlsOptions client = clientTls().withProtocols("TLSv1.2"); // one context: one session cache
        byte[] first;
        try (Connection c = connect(server, "localhost", client)) {
            c.writeLine("one").flush();
            assertEquals("one", c.readLine(100));
            first = c.tlsSession().orElseThrow().getId();
        }
        try (Connection c = connect(server, "localhost", client)) {
            c.writeLine("two").flush();
            assertEquals("two", c.readLine(100));
            assertTrue(first.length > 0);
            assertArrayEquals(first, c.tlsSession().orElseThrow().getId(), "a new session, not the cached one");
        }
        try (Connection c = connect(server, "localhost", clientTls().withProtocols("TLSv1.2"))) {
            assertFalse(Arrays.equals(first, c.tlsSession().orElseThrow().getId()), "another context resumed");
        }
    }

    /**
     * TLS 1.3 resumption: the server's session ticket, which arrives after the handshake among the
     * application data, is taken in by the client's reader, and the next connection of the same client
     * context resumes with it (a pre-shared key, no certificate sent): the client's trust manager, which
     * a full handshake asks to check the server's certificate, is not asked again.
     */
    @Test
    void aTls13ConnectionResumesWithTheServersTicket() throws Exception {
        server = start(serverTls());
        java.util.concurrent.atomic.AtomicInteger checks = new java.util.concurrent.atomic.AtomicInteger();
        TlsOptions client = TlsOptions.of(countingClientContext(checks)).withProtocols("TLSv1.3");
        try (Connection c = connect(server, "localhost", client)) {
            c.writeLine("one").flush();
            assertEquals("one", c.readLine(100));
            assertEquals("TLSv1.3", c.tlsSession().orElseThrow().getProtocol());
        }
        assertEquals(1, checks.get(), "a full handshake checks the server's certificate");
        for (int i = 0; i < 3; i++) {
            try (Connection c = connect(server, "localhost", client)) {
                c.writeLine("again " + i).flush();
                assertEquals("again " + i, c.readLine(100));
            }
        }
        assertEquals(1, checks.get(), "resumed handshakes get no certificate to check");
        java.util.concurrent.atomic.AtomicInteger others = new java.util.concurrent.atomic.AtomicInteger();
        try (Connection c = connect(
                server,
                "localhost",
                TlsOptions.of(countingClientContext(others)).withProtocols("TLSv1.3"))) {
            c.writeLine("other").flush();
            assertEquals("other", c.readLine(100));
        }
        assertEquals(1, others.get(), "another client context has no ticket: a full handshake");
    }

    /** A client context trusting the test CA, whose trust manager counts the server certificates it checks. */
    static javax.net.ssl.SSLContext countingClientContext(java.util.concurrent.atomic.AtomicInteger checks)
            throws Exception {
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("ca", TlsContexts.readCertificates(CERTS.ca).get(0));
        javax.net.ssl.TrustManagerFactory tmf =
                javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        javax.net.ssl.X509ExtendedTrustManager tm = (javax.net.ssl.X509ExtendedTrustManager) tmf.getTrustManagers()[0];
        javax.net.ssl.X509ExtendedTrustManager counting = new javax.net.ssl.X509ExtendedTrustManager() {
            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine engine)
                    throws java.security.cert.CertificateException {
                checks.incrementAndGet();
                tm.checkServerTrusted(chain, authType, engine);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                    throws java.security.cert.CertificateException {
                checks.incrementAndGet();
                tm.checkServerTrusted(chain, authType, socket);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType)
                    throws java.security.cert.CertificateException {
                checks.incrementAndGet();
                tm.checkServerTrusted(chain, authType);
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine engine)
                    throws java.security.cert.CertificateException {
                tm.checkClientTrusted(chain, authType, engine);
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                    throws java.security.cert.CertificateException {
                tm.checkClientTrusted(chain, authType, socket);
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType)
                    throws java.security.cert.CertificateException {
                tm.checkClientTrusted(chain, authType);
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return tm.getAcceptedIssuers();
            }
        };
        javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
        ctx.init(null, new javax.net.ssl.TrustManager[] {counting}, null);
        return ctx;
    }

    @Test
    void theHandlerSeesTheConnectionOnlyAfterTheHandshake() throws Exception {
        BlockingQueue<String> protocols = new ArrayBlockingQueue<>(1);
        TcpServer.Builder b = builder();
        server = b.listener(b.listener().withTls(serverTls().withApplicationProtocols("warren/1")))
                .handler(conn -> {
                    protocols.add(conn.tlsSession().orElseThrow().getProtocol() + " "
                            + conn.applicationProtocol().orElse("-"));
                    TcpServerTest.ECHO_LINES.handle(conn);
                })
                .start();
        try (Connection c = connect(server, "localhost", clientTls().withApplicationProtocols("warren/1"))) {
            assertEquals("warren/1", c.applicationProtocol().orElseThrow());
            c.writeLine("x").flush();
            assertEquals("x", c.readLine(100));
        }
        assertEquals("TLSv1.3 warren/1", protocols.poll(10, TimeUnit.SECONDS));
        assertTrue(server.stats().closed().get(CloseReason.NORMAL) <= 1);
    }

    /** Regression: the TLS handshake used to reset the socket's timeout to none, so this read waited forever. */
    @Test
    void theClientsReadTimeoutSurvivesTheHandshake() throws Exception {
        server = start(serverTls().withHandshakeTimeout(WAIT));
        try (Connection c = TcpClient.connect(
                "localhost",
                server.port(),
                ConnectOptions.defaults().withTls(clientTls()).withReadTimeout(Duration.ofMillis(100)))) {
            // the echo server says nothing first: the read must time out, not wait for ever
            assertTimeoutPreemptively(WAIT, () -> assertThrows(SocketTimeoutException.class, () -> c.readLine(100)));
            c.writeLine("after").flush();
            assertEquals("after", c.readLine(100));
        }
    }

    /** The server closes: the peer reads an alert or two, then end of stream (or a reset), well within WAIT. */
    static void assertEndsSoon(InputStream in) throws IOException {
        byte[] b = new byte[1024];
        try {
            while (in.read(b) >= 0) {
                // the alert the engine sends before it closes
            }
        } catch (java.net.SocketException reset) {
            // closed with bytes unread: a reset is an end too
        }
    }
}

package dev.warren.net.frame;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.warren.net.CloseReason;
import dev.warren.net.ConnectOptions;
import dev.warren.net.Connection;
import dev.warren.net.TestCerts;
import dev.warren.net.TlsOptions;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Framed messages over TLS: a {@link MessageClient} and a {@link MessageServer}, blocking and with the reactor. */
class MessageTlsTest {
    static final TestCerts CERTS = TestCerts.get();

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void messagesEchoOverTlsAndPlaintextIsTurnedAway(boolean reactor) throws Exception {
        MessageServer.Builder b = MsgTesting.local(MsgTesting.unique("tls-echo"));
        ConcurrentLinkedQueue<Long> replies = new ConcurrentLinkedQueue<>();
        try (MessageServer server = b.listener(
                        b.listener().withReactor(reactor).withTls(TlsOptions.of(CERTS.serverContext())))
                .handler(MsgTesting.ECHO)
                .start()) {
            try (MessageClient client = MessageClient.builder("localhost", server.port())
                    .name(MsgTesting.unique("tls-cli"))
                    .connectOptions(ConnectOptions.defaults().withTls(TlsOptions.of(CERTS.clientContext())))
                    .onMessage(p -> replies.add(MsgTesting.check(p)))
                    .start()) {
                for (int i = 0; i < 2000; i++) {
                    client.send(MsgTesting.message(i, 300));
                }
                await().atMost(MsgTesting.WAIT).until(() -> replies.size() == 2000);
                long expect = 0;
                for (long r : replies) {
                    assertEquals(expect++, r);
                }
            }
            try (Socket plain = new Socket("127.0.0.1", server.port())) {
                plain.setSoTimeout((int) Duration.ofSeconds(10).toMillis());
                plain.getOutputStream().write("\0\0\0\5hello".getBytes(StandardCharsets.US_ASCII));
                while (plain.getInputStream().read() >= 0) {
                    // an alert, then the end
                }
            }
            await().atMost(MsgTesting.WAIT)
                    .until(() -> server.stats().tcp().closed().get(CloseReason.TLS_HANDSHAKE) == 1);
            try (Connection c = dev.warren.net.TcpClient.connect(
                    "localhost",
                    server.port(),
                    ConnectOptions.defaults().withTls(TlsOptions.of(CERTS.clientContext())))) {
                assertEquals("TLSv1.3", c.tlsSession().orElseThrow().getProtocol());
            }
        }
    }
}

package dev.warren.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every {@link TcpServerTlsTest} again with the reactor: TLS's engine over {@link ReactorIo}. */
class TcpServerTlsReactorTest extends TcpServerTlsTest {
    @BeforeEach
    void needsReactor() {
        assumeTrue(TcpServer.reactorSupported(), "the reactor needs JDK 24+");
    }

    @Override
    TcpServer.Builder builder() {
        return super.builder().reactor(true);
    }

    @Test
    void theConnectionsAreTheReactorsAndEncrypted() throws Exception {
        server = start(serverTls());
        try (Connection c = connect(server, "localhost", clientTls())) {
            c.writeLine("x").flush();
            assertEquals("x", c.readLine(100));
            Map<String, Object> tree = ((TcpServerImpl) server).toTree(10, System.nanoTime());
            assertEquals(true, tree.get("reactor"));
            assertEquals(true, tree.get("tls"));
            assertEquals(true, ((ConnectionImpl) c).tlsSession().isPresent());
        }
    }
}

package dev.warren.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading keys and certificates with the JDK only, and the messages when a file is not what it should be. */
class TlsContextsTest {
    static final TestCerts CERTS = TestCerts.get();

    @TempDir
    Path tmp;

    @Test
    void readsEcAndRsaPkcs8KeysAndChains() throws IOException {
        assertTrue(TlsContexts.readPrivateKey(CERTS.serverKey) instanceof ECPrivateKey);
        assertTrue(TlsContexts.readPrivateKey(CERTS.clientKey) instanceof RSAPrivateKey);
        assertEquals(2, TlsContexts.readCertificates(CERTS.serverChain).size());
        assertEquals(
                "CN=localhost",
                TlsContexts.readCertificates(CERTS.serverChain)
                        .get(0)
                        .getSubjectX500Principal()
                        .getName());
    }

    @Test
    void pkcs12WorksLikePem() throws Exception {
        SSLContext ctx = TlsContexts.fromPkcs12(CERTS.serverP12, TestCerts.PASSWORD.toCharArray(), null);
        TcpServer.Builder b = TcpServer.builder().bindAddress("127.0.0.1").port(0);
        try (TcpServer s = b.listener(b.listener().withTls(TlsOptions.of(ctx)))
                .handler(TcpServerTest.ECHO_LINES)
                .start()) {
            TcpServerTlsTest.assertServes(s);
        }
        IOException wrong = assertThrows(
                IOException.class, () -> TlsContexts.fromPkcs12(CERTS.serverP12, "nope".toCharArray(), null));
        assertTrue(wrong.getMessage().contains(CERTS.serverP12.toString()), wrong.getMessage());
    }

    @Test
    void aMissingFileIsNamed() {
        Path missing = tmp.resolve("missing.pem");
        IOException e = assertThrows(IOException.class, () -> TlsContexts.fromPem(missing, CERTS.serverKey));
        assertEquals("cannot read certificate file " + missing + ": no such file", e.getMessage());
        e = assertThrows(IOException.class, () -> TlsContexts.fromPem(CERTS.serverChain, missing));
        assertEquals("cannot read private key file " + missing + ": no such file", e.getMessage());
    }

    @Test
    void aFileWithoutTheBlockIsNamed() throws IOException {
        Path text = Files.writeString(tmp.resolve("notes.txt"), "hello\n");
        IOException e = assertThrows(IOException.class, () -> TlsContexts.readCertificates(text));
        assertTrue(e.getMessage().startsWith("no certificate in " + text), e.getMessage());
        e = assertThrows(IOException.class, () -> TlsContexts.readPrivateKey(text));
        assertTrue(
                e.getMessage().startsWith("no private key in " + text)
                        || e.getMessage().contains(text.toString()),
                e.getMessage());
        // a key where the certificate should be, and the other way round
        e = assertThrows(IOException.class, () -> TlsContexts.fromPem(CERTS.serverKey, CERTS.serverKey));
        assertTrue(e.getMessage().contains(CERTS.serverKey.toString()), e.getMessage());
        e = assertThrows(IOException.class, () -> TlsContexts.fromPem(CERTS.serverChain, CERTS.serverChain));
        assertTrue(e.getMessage().contains(CERTS.serverChain.toString()), e.getMessage());
    }

    @Test
    void legacyAndEncryptedKeysAreRefusedWithTheCommandThatConverts() throws IOException {
        for (String type : List.of("RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY")) {
            Path key = Files.writeString(tmp.resolve("legacy.pem"), TestCerts.pem(type, new byte[] {1, 2, 3}));
            IOException e = assertThrows(IOException.class, () -> TlsContexts.readPrivateKey(key));
            assertTrue(
                    e.getMessage().contains(key.toString()) && e.getMessage().contains("openssl pkcs8 -topk8"),
                    e.getMessage());
        }
    }

    @Test
    void badBase64AndNonsenseKeysAreNamed() throws IOException {
        Path bad = Files.writeString(
                tmp.resolve("bad.pem"), "-----BEGIN CERTIFICATE-----\n%%%\n-----END CERTIFICATE-----\n");
        IOException e = assertThrows(IOException.class, () -> TlsContexts.readCertificates(bad));
        assertTrue(e.getMessage().contains(bad.toString()) && e.getMessage().contains("base64"), e.getMessage());
        Path nonsense = Files.writeString(tmp.resolve("k.pem"), TestCerts.pem("PRIVATE KEY", new byte[] {1, 2, 3}));
        e = assertThrows(IOException.class, () -> TlsContexts.readPrivateKey(nonsense));
        assertEquals("the key in " + nonsense + " is neither an RSA nor an EC PKCS#8 private key", e.getMessage());
        Path notAKeyForThisCert = CERTS.clientKey;
        e = assertThrows(IOException.class, () -> TlsContexts.fromPem(CERTS.serverChain, notAKeyForThisCert));
        assertTrue(e.getMessage().contains("does not go with"), e.getMessage());
    }

    @Test
    void optionsAreCheckedAtOnce() {
        SSLContext ctx = CERTS.clientContext();
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> TlsOptions.of(ctx).withProtocols("TLSv1.1"));
        assertEquals("protocols may hold only TLSv1.3 and TLSv1.2, was 'TLSv1.1'", e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> TlsOptions.of(ctx).withProtocols());
        assertTrue(e.getMessage().contains("protocols must not be empty"));
        e = assertThrows(
                IllegalArgumentException.class, () -> TlsOptions.of(ctx).withHandshakeTimeout(Duration.ZERO));
        assertTrue(e.getMessage().contains("handshakeTimeout"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> TlsOptions.of(ctx).withApplicationProtocols(""));
        assertTrue(e.getMessage().contains("ALPN"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> UdpReceiver.builder().listener(ListenerOptions.defaults().withTls(TlsOptions.of(ctx))));
        assertTrue(e.getMessage().contains("UDP receiver has no TLS"), e.getMessage());
    }
}

package dev.warren.net;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * A throwaway certificate authority and the certificates the TLS tests use, made once per test JVM by
 * the JDK's own {@code keytool} (run as a process: the JDK has no API for signing certificates) into a
 * temporary directory:
 *
 * <ul>
 *   <li>{@code ca.pem}: the CA (EC P-256), which signed the two below;
 *   <li>{@code server.pem} (the server's certificate for {@code localhost} and {@code 127.0.0.1}, then
 *       the CA's) and {@code server-key.pem} (its EC key, PKCS#8), and the same in {@code server.p12};
 *   <li>{@code client.pem} and {@code client-key.pem}: a client certificate (RSA 2048, PKCS#8 key);
 *   <li>{@code other-ca.pem}: a second CA that signed nothing here, for a client that must refuse the
 *       server.
 * </ul>
 *
 * <p>Thread-safe: {@link #get()} makes them on first use (class initialisation), then returns them.
 */
public final class TestCerts {
    public static final String PASSWORD = "changeit";

    public final Path dir;
    public final Path ca;
    public final Path serverChain;
    public final Path serverKey;
    public final Path serverP12;
    public final Path clientChain;
    public final Path clientKey;
    public final Path otherCa;

    private TestCerts(Path dir) {
        this.dir = dir;
        this.ca = dir.resolve("ca.pem");
        this.serverChain = dir.resolve("server.pem");
        this.serverKey = dir.resolve("server-key.pem");
        this.serverP12 = dir.resolve("server.p12");
        this.clientChain = dir.resolve("client.pem");
        this.clientKey = dir.resolve("client-key.pem");
        this.otherCa = dir.resolve("other-ca.pem");
    }

    private static final class Holder {
        static final TestCerts CERTS = create();
    }

    /** The certificates, made on the first call. */
    public static TestCerts get() {
        return Holder.CERTS;
    }

    /** A server's context: the server certificate and key, trusting the CA (for client certificates). */
    public SSLContext serverContext() {
        try {
            return TlsContexts.fromPem(serverChain, serverKey, ca);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A client's context trusting the CA, without a certificate of its own. */
    public SSLContext clientContext() {
        try {
            return TlsContexts.trusting(ca);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A client's context with the client certificate, trusting the CA. */
    public SSLContext clientContextWithCertificate() {
        try {
            return TlsContexts.fromPem(clientChain, clientKey, ca);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static TestCerts create() {
        try {
            Path dir = Files.createTempDirectory("warren-certs");
            TestCerts c = new TestCerts(dir);
            keytool(
                    dir,
                    "-genkeypair",
                    "-alias",
                    "ca",
                    "-keyalg",
                    "EC",
                    "-groupname",
                    "secp256r1",
                    "-dname",
                    "CN=Warren Test CA",
                    "-ext",
                    "bc:c",
                    "-validity",
                    "3",
                    "-keystore",
                    "ca.p12");
            keytool(dir, "-exportcert", "-alias", "ca", "-rfc", "-file", "ca.pem", "-keystore", "ca.p12");
            keytool(
                    dir,
                    "-genkeypair",
                    "-alias",
                    "other",
                    "-keyalg",
                    "EC",
                    "-groupname",
                    "secp256r1",
                    "-dname",
                    "CN=Some Other CA",
                    "-ext",
                    "bc:c",
                    "-validity",
                    "3",
                    "-keystore",
                    "other.p12");
            keytool(dir, "-exportcert", "-alias", "other", "-rfc", "-file", "other-ca.pem", "-keystore", "other.p12");
            signed(dir, "server", "EC", "CN=localhost", "SAN=dns:localhost,ip:127.0.0.1", "serverAuth");
            signed(dir, "client", "RSA", "CN=warren-client", null, "clientAuth");
            return c;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("making the test certificates with keytool failed", e);
        }
    }

    /** A key pair {@code name}, its certificate signed by the CA, written as PEM chain, PKCS#8 key and PKCS#12. */
    private static void signed(Path dir, String name, String alg, String dname, String san, String eku)
            throws IOException, GeneralSecurityException {
        String p12 = name + "-self.p12";
        List<String> gen = new ArrayList<>(List.of(
                "-genkeypair", "-alias", name, "-keyalg", alg, "-dname", dname, "-validity", "3", "-keystore", p12));
        if (alg.equals("EC")) {
            gen.addAll(List.of("-groupname", "secp256r1"));
        } else {
            gen.addAll(List.of("-keysize", "2048"));
        }
        keytool(dir, gen.toArray(String[]::new));
        keytool(dir, "-certreq", "-alias", name, "-file", name + ".csr", "-keystore", p12);
        List<String> sign = new ArrayList<>(List.of(
                "-gencert",
                "-alias",
                "ca",
                "-keystore",
                "ca.p12",
                "-infile",
                name + ".csr",
                "-outfile",
                name + ".crt",
                "-rfc",
                "-validity",
                "3",
                "-ext",
                "EKU=" + eku));
        if (san != null) {
            sign.addAll(List.of("-ext", san));
        }
        keytool(dir, sign.toArray(String[]::new));
        KeyStore self = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(dir.resolve(p12))) {
            self.load(in, PASSWORD.toCharArray());
        }
        PrivateKey key = (PrivateKey) self.getKey(name, PASSWORD.toCharArray());
        List<X509Certificate> chain = new ArrayList<>(TlsContexts.readCertificates(dir.resolve(name + ".crt")));
        chain.addAll(TlsContexts.readCertificates(dir.resolve("ca.pem")));
        StringBuilder pem = new StringBuilder();
        for (X509Certificate cert : chain) {
            pem.append(pem("CERTIFICATE", cert.getEncoded()));
        }
        Files.writeString(dir.resolve(name + ".pem"), pem, StandardCharsets.US_ASCII);
        Files.writeString(
                dir.resolve(name + "-key.pem"), pem("PRIVATE KEY", key.getEncoded()), StandardCharsets.US_ASCII);
        KeyStore out = KeyStore.getInstance("PKCS12");
        out.load(null, null);
        out.setKeyEntry(name, key, PASSWORD.toCharArray(), chain.toArray(Certificate[]::new));
        try (OutputStream o = Files.newOutputStream(dir.resolve(name + ".p12"))) {
            out.store(o, PASSWORD.toCharArray());
        }
    }

    /** {@code der} as a PEM block of {@code type}. */
    public static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static void keytool(Path dir, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("-storetype", "PKCS12", "-storepass", PASSWORD, "-noprompt"));
        if (args[0].equals("-genkeypair")) {
            cmd.addAll(List.of("-keypass", PASSWORD));
        }
        Process p = new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        byte[] output = p.getInputStream().readAllBytes();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException(
                        "keytool " + String.join(" ", args) + " failed: " + new String(output, StandardCharsets.UTF_8));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted while running keytool", e);
        }
    }
}

package dev.warren.net;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Makes {@link SSLContext}s from files, with the JDK only: a PEM certificate chain and PKCS#8 private
 * key (RSA or EC), a PKCS#12 key store, or PEM certificates to trust. Every failure to read a file is an
 * {@link IOException} whose message names the file and what was wrong with it.
 *
 * {@snippet :
 * SSLContext server = TlsContexts.fromPem(Path.of("cert.pem"), Path.of("key.pem"));
 * SSLContext client = TlsContexts.trusting(Path.of("ca.pem"));
 * }
 *
 * <p><b>Threading.</b> Static methods, safe from any thread; each reads its files (blocking) and returns
 * a new context, which the caller owns (a context holds no resources to close).
 */
public final class TlsContexts {
    private static final String PASSWORD = "warren";

    private TlsContexts() {}

    /**
     * A context holding the certificate chain in {@code certChainPem} (the server's or client's own
     * certificate first, then the ones that signed it) and its private key in {@code keyPem} (PKCS#8,
     * {@code BEGIN PRIVATE KEY}, RSA or EC, not encrypted), trusting the JDK's default certificate
     * authorities.
     *
     * @throws IOException if a file cannot be read or holds no usable certificate or key (the message
     *     names the file)
     */
    public static SSLContext fromPem(Path certChainPem, Path keyPem) throws IOException {
        return fromPem(certChainPem, keyPem, null);
    }

    /**
     * As {@link #fromPem(Path, Path)}, trusting only the certificates in {@code trustedPem} (for a server
     * that authenticates clients, or a client that talks to servers signed by a private CA); null for
     * the JDK's defaults.
     */
    public static SSLContext fromPem(Path certChainPem, Path keyPem, Path trustedPem) throws IOException {
        List<X509Certificate> chain = readCertificates(certChainPem);
        PrivateKey key = readPrivateKey(keyPem);
        if (!matches(key, chain.get(0))) {
            throw new IOException("the key in " + keyPem + " does not go with the certificate in " + certChainPem
                    + " (" + chain.get(0).getSubjectX500Principal().getName() + "): the first certificate must be the"
                    + " key's own");
        }
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("key", key, PASSWORD.toCharArray(), chain.toArray(Certificate[]::new));
            return context(ks, PASSWORD.toCharArray(), trustedPem);
        } catch (GeneralSecurityException e) {
            throw new IOException(
                    "the key in " + keyPem + " does not go with the certificate in " + certChainPem + ": "
                            + e.getMessage(),
                    e);
        }
    }

    /**
     * A context holding the key and certificate chain in the PKCS#12 file {@code p12} (as {@code keytool
     * -genkeypair -storetype PKCS12} or {@code openssl pkcs12 -export} write it), trusting {@code
     * trustedPem}'s certificates, or the JDK's defaults when null.
     *
     * @throws IOException if the file cannot be read, the password is wrong, or it holds no key
     */
    public static SSLContext fromPkcs12(Path p12, char[] password, Path trustedPem) throws IOException {
        Objects.requireNonNull(p12, "p12");
        Objects.requireNonNull(password, "password");
        KeyStore ks;
        try (InputStream in = Files.newInputStream(p12)) {
            ks = KeyStore.getInstance("PKCS12");
            ks.load(in, password);
        } catch (NoSuchFileException e) {
            throw new IOException("cannot read PKCS#12 file " + p12 + ": no such file", e);
        } catch (GeneralSecurityException | IOException e) {
            throw new IOException(
                    "cannot read PKCS#12 file " + p12 + " (wrong password or not PKCS#12?): " + e.getMessage(), e);
        }
        try {
            boolean hasKey = false;
            for (String alias : java.util.Collections.list(ks.aliases())) {
                hasKey |= ks.isKeyEntry(alias);
            }
            if (!hasKey) {
                throw new IOException("PKCS#12 file " + p12 + " holds no private key");
            }
            return context(ks, password, trustedPem);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot use the key in PKCS#12 file " + p12 + ": " + e.getMessage(), e);
        }
    }

    /** A context with no key of its own that trusts only the certificates in {@code trustedPem}: a client's. */
    public static SSLContext trusting(Path trustedPem) throws IOException {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, trustManagers(trustedPem).getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot trust the certificates in " + trustedPem + ": " + e.getMessage(), e);
        }
    }

    /**
     * The X.509 certificates in a PEM file, in file order.
     *
     * @throws IOException if the file cannot be read or holds no {@code BEGIN CERTIFICATE} block
     */
    public static List<X509Certificate> readCertificates(Path pem) throws IOException {
        String text = read(pem, "certificate");
        List<X509Certificate> out = new ArrayList<>();
        CertificateFactory cf;
        try {
            cf = CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException("this JDK has no X.509 certificate factory", e);
        }
        for (byte[] der : blocks(pem, text, "CERTIFICATE")) {
            try {
                out.add((X509Certificate) cf.generateCertificate(new java.io.ByteArrayInputStream(der)));
            } catch (CertificateException e) {
                throw new IOException(
                        "certificate " + (out.size() + 1) + " in " + pem + " is not a valid X.509 certificate: "
                                + e.getMessage(),
                        e);
            }
        }
        if (out.isEmpty()) {
            throw new IOException("no certificate in " + pem + " (expected -----BEGIN CERTIFICATE----- blocks)");
        }
        return out;
    }

    /**
     * The private key in a PEM file: PKCS#8 ({@code BEGIN PRIVATE KEY}), RSA or EC. Keys in the older
     * formats ({@code BEGIN RSA PRIVATE KEY}, {@code BEGIN EC PRIVATE KEY}) and encrypted keys are refused
     * with the {@code openssl} command that converts them.
     *
     * @throws IOException if the file cannot be read or holds no usable key
     */
    public static PrivateKey readPrivateKey(Path pem) throws IOException {
        String text = read(pem, "private key");
        for (String legacy : List.of("RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY")) {
            if (text.contains("-----BEGIN " + legacy + "-----")) {
                throw new IOException("the key in " + pem + " is a " + legacy + "; only unencrypted PKCS#8 keys are"
                        + " read: convert it with `openssl pkcs8 -topk8 -nocrypt -in " + pem + " -out key.pem`");
            }
        }
        List<byte[]> keys = blocks(pem, text, "PRIVATE KEY");
        if (keys.size() != 1) {
            throw new IOException((keys.isEmpty() ? "no" : keys.size() + " private keys, expected one,") + " in " + pem
                    + (keys.isEmpty() ? " (expected a -----BEGIN PRIVATE KEY----- block)" : ""));
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(keys.get(0));
        for (String algorithm : List.of("RSA", "EC")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (InvalidKeySpecException e) {
                // not this algorithm: try the next
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("this JDK has no " + algorithm + " key factory", e);
            }
        }
        throw new IOException("the key in " + pem + " is neither an RSA nor an EC PKCS#8 private key");
    }

    /** Whether {@code key} is the private half of {@code cert}'s public key: a signature one verifies with the other. */
    private static boolean matches(PrivateKey key, X509Certificate cert) {
        String algorithm = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
        try {
            byte[] probe = "warren".getBytes(StandardCharsets.US_ASCII);
            java.security.Signature sign = java.security.Signature.getInstance(algorithm);
            sign.initSign(key);
            sign.update(probe);
            byte[] sig = sign.sign();
            java.security.Signature verify = java.security.Signature.getInstance(algorithm);
            verify.initVerify(cert.getPublicKey());
            verify.update(probe);
            return verify.verify(sig);
        } catch (GeneralSecurityException e) {
            return false; // a key of another algorithm than the certificate's
        }
    }

    private static String read(Path pem, String what) throws IOException {
        Objects.requireNonNull(pem, what + " file");
        try {
            return Files.readString(pem, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new IOException("cannot read " + what + " file " + pem + ": no such file", e);
        } catch (java.nio.charset.MalformedInputException e) {
            throw new IOException(what + " file " + pem + " is not PEM text", e);
        } catch (IOException e) {
            throw new IOException("cannot read " + what + " file " + pem + ": " + e, e);
        }
    }

    /** The base64 bodies of the {@code -----BEGIN type-----} blocks in {@code text}, decoded. */
    private static List<byte[]> blocks(Path pem, String text, String type) throws IOException {
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        List<byte[]> out = new ArrayList<>();
        int from = 0;
        while (true) {
            int b = text.indexOf(begin, from);
            if (b < 0) {
                return out;
            }
            int e = text.indexOf(end, b);
            if (e < 0) {
                throw new IOException(pem + ": " + begin + " without " + end);
            }
            String body = text.substring(b + begin.length(), e).replaceAll("\\s", "");
            try {
                out.add(Base64.getDecoder().decode(body));
            } catch (IllegalArgumentException ex) {
                throw new IOException(
                        pem + ": the " + type + " block " + (out.size() + 1) + " is not base64: " + ex.getMessage(),
                        ex);
            }
            from = e + end.length();
        }
    }

    private static SSLContext context(KeyStore keys, char[] password, Path trustedPem)
            throws GeneralSecurityException, IOException {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, password);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(
                kmf.getKeyManagers(),
                trustedPem == null ? null : trustManagers(trustedPem).getTrustManagers(),
                null);
        return ctx;
    }

    private static TrustManagerFactory trustManagers(Path trustedPem) throws IOException, GeneralSecurityException {
        List<X509Certificate> certs = readCertificates(trustedPem);
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        for (int i = 0; i < certs.size(); i++) {
            ts.setCertificateEntry("trusted-" + i, certs.get(i));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        return tmf;
    }
}

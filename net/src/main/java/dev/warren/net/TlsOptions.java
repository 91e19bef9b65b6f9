package dev.warren.net;

import dev.warren.net.internal.Checks;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * TLS on a listener ({@link ListenerOptions#withTls}) or a client connection ({@link
 * ConnectOptions#withTls}): the {@link SSLContext} that holds the keys and trusted certificates, and
 * how each connection's {@link SSLEngine} is set up. {@link TlsContexts} makes the context from a PEM
 * certificate and key or a PKCS#12 file.
 *
 * {@snippet :
 * SSLContext ctx = TlsContexts.fromPem(Path.of("cert.pem"), Path.of("key.pem"));
 * HttpServer server = HttpServer.builder()
 *         .listener(HttpServer.defaultListener().withPort(8443).withTls(TlsOptions.of(ctx)))
 *         .router(router)
 *         .start();
 * }
 *
 * <p>One context serves every connection of a server or client, and the JDK keeps its session cache
 * there: a client that reuses its {@code TlsOptions} resumes sessions with a server it talked to before.
 *
 * <p><b>Threading.</b> A value: share it freely between threads, servers and clients (an {@link
 * SSLContext} is thread-safe).
 *
 * @param context the keys (a server's certificate and private key; a client's, for client-certificate
 *     authentication) and the certificates trusted to sign the peer's
 * @param clientAuth whether a server asks its clients for a certificate (ignored by clients)
 * @param protocols the TLS versions allowed, non-empty, each {@code TLSv1.2} or {@code TLSv1.3}
 * @param applicationProtocols the ALPN protocols offered (client) or accepted (server), most preferred
 *     first; empty for no ALPN. {@code HttpServer} and {@code HttpClient} use {@code http/1.1} when this
 *     is empty
 * @param handshakeTimeout the longest a handshake may take, {@code > 0}; a server closes a connection
 *     that has not finished it by then with {@link CloseReason#TLS_HANDSHAKE_TIMEOUT}
 * @param verifyHostname whether a client checks that the server's certificate names the host it
 *     connected to (RFC 2818); on by default, off only for tests against a certificate without the name
 */
public record TlsOptions(
        SSLContext context,
        ClientAuth clientAuth,
        List<String> protocols,
        List<String> applicationProtocols,
        Duration handshakeTimeout,
        boolean verifyHostname) {

    /** Whether a server asks for a client certificate. */
    public enum ClientAuth {
        /** No client certificate is asked for. */
        NONE,
        /** Asked for; a client without one is served, a client with one that is not trusted is refused. */
        WANT,
        /** Required: a client without a trusted certificate fails the handshake. */
        NEED
    }

    private static final List<String> KNOWN_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    /** Checks every component; see the class comment for the rules. */
    public TlsOptions {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(clientAuth, "clientAuth");
        protocols = List.copyOf(Objects.requireNonNull(protocols, "protocols"));
        if (protocols.isEmpty()) {
            throw new IllegalArgumentException("protocols must not be empty (TLSv1.3, TLSv1.2 or both)");
        }
        for (String p : protocols) {
            if (!KNOWN_PROTOCOLS.contains(p)) {
                throw new IllegalArgumentException("protocols may hold only TLSv1.3 and TLSv1.2, was '" + p + "'");
            }
        }
        applicationProtocols = List.copyOf(Objects.requireNonNull(applicationProtocols, "applicationProtocols"));
        for (String p : applicationProtocols) {
            if (p.isEmpty() || p.length() > 255) {
                throw new IllegalArgumentException("an ALPN protocol name must be 1..255 characters, was '" + p + "'");
            }
        }
        Checks.positive("handshakeTimeout", handshakeTimeout);
        Checks.millis("handshakeTimeout", handshakeTimeout);
    }

    /**
     * TLS with {@code context}: TLS 1.3 and 1.2, no client certificate asked for, no ALPN, a 10 s
     * handshake timeout, hostname verification on.
     */
    public static TlsOptions of(SSLContext context) {
        return new TlsOptions(context, ClientAuth.NONE, KNOWN_PROTOCOLS, List.of(), Duration.ofSeconds(10), true);
    }

    /**
     * A client's TLS with the JDK's default context: the JDK's trusted certificate authorities (its
     * {@code cacerts}), no client certificate.
     */
    public static TlsOptions defaultClient() {
        try {
            return of(SSLContext.getDefault());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no default TLS context", e);
        }
    }

    /** These options with another context. */
    public TlsOptions withContext(SSLContext context) {
        return new TlsOptions(context, clientAuth, protocols, applicationProtocols, handshakeTimeout, verifyHostname);
    }

    /** These options asking clients for a certificate as {@code auth} says (servers only). */
    public TlsOptions withClientAuth(ClientAuth auth) {
        return new TlsOptions(context, auth, protocols, applicationProtocols, handshakeTimeout, verifyHostname);
    }

    /** These options allowing only {@code protocols} ({@code "TLSv1.3"}, {@code "TLSv1.2"}). */
    public TlsOptions withProtocols(String... protocols) {
        return new TlsOptions(
                context, clientAuth, List.of(protocols), applicationProtocols, handshakeTimeout, verifyHostname);
    }

    /** These options offering or accepting the ALPN {@code protocols}, most preferred first. */
    public TlsOptions withApplicationProtocols(String... protocols) {
        return new TlsOptions(
                context, clientAuth, this.protocols, List.of(protocols), handshakeTimeout, verifyHostname);
    }

    /** These options with another handshake timeout, {@code > 0}. */
    public TlsOptions withHandshakeTimeout(Duration timeout) {
        return new TlsOptions(context, clientAuth, protocols, applicationProtocols, timeout, verifyHostname);
    }

    /** These options with hostname verification on or off (clients only). */
    public TlsOptions withVerifyHostname(boolean on) {
        return new TlsOptions(context, clientAuth, protocols, applicationProtocols, handshakeTimeout, on);
    }

    /** A server-side engine for one accepted connection. */
    SSLEngine serverEngine() {
        SSLEngine e = context.createSSLEngine();
        e.setUseClientMode(false);
        SSLParameters p = e.getSSLParameters();
        p.setProtocols(protocols.toArray(String[]::new));
        switch (clientAuth) {
            case NEED -> p.setNeedClientAuth(true);
            case WANT -> p.setWantClientAuth(true);
            case NONE -> {}
        }
        if (!applicationProtocols.isEmpty()) {
            p.setApplicationProtocols(applicationProtocols.toArray(String[]::new));
        }
        e.setSSLParameters(p);
        return e;
    }

    /**
     * A client-side engine for a connection to {@code host:port}: SNI with {@code host} (unless it is an
     * address literal), hostname verification as configured, and the host and port as the key of the
     * context's session cache (so a later connection to them can resume).
     */
    SSLEngine clientEngine(String host, int port) {
        SSLEngine e = context.createSSLEngine(host, port);
        e.setUseClientMode(true);
        SSLParameters p = e.getSSLParameters();
        p.setProtocols(protocols.toArray(String[]::new));
        if (verifyHostname) {
            p.setEndpointIdentificationAlgorithm("HTTPS");
        }
        if (!isAddressLiteral(host)) {
            try {
                p.setServerNames(List.of(new SNIHostName(host)));
            } catch (IllegalArgumentException notSni) {
                // not a name SNI can carry (RFC 6066: an IDN A-label without a trailing dot); connect without
            }
        }
        if (!applicationProtocols.isEmpty()) {
            p.setApplicationProtocols(applicationProtocols.toArray(String[]::new));
        }
        e.setSSLParameters(p);
        return e;
    }

    private static boolean isAddressLiteral(String host) {
        return host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
    }
}

package dev.warren.net;

import dev.warren.net.internal.Checks;
import java.time.Duration;
import java.util.Objects;

/**
 * How {@link TcpClient#connect} opens a connection. Immutable; start from {@link #defaults()} and
 * change what you need with the {@code with...} methods, each checked at once.
 *
 * @param connectTimeout the longest the TCP handshake may take, {@code > 0}
 * @param readTimeout the longest one blocking read may wait, {@code > 0}; null for none
 * @param tcpNoDelay TCP_NODELAY (disables Nagle's algorithm)
 * @param inputBufferSize the connection's input buffer, in bytes, {@code >= 64}
 * @param outputBufferSize the connection's output buffer, in bytes, {@code >= 64}
 * @param tls TLS on the connection (see {@link #withTls}); null for plaintext
 */
public record ConnectOptions(
        Duration connectTimeout,
        Duration readTimeout,
        boolean tcpNoDelay,
        int inputBufferSize,
        int outputBufferSize,
        TlsOptions tls) {

    private static final ConnectOptions DEFAULTS =
            new ConnectOptions(Duration.ofSeconds(10), null, true, 8192, 8192, null);

    public ConnectOptions {
        Checks.positive("connectTimeout", connectTimeout);
        Checks.millis("connectTimeout", connectTimeout);
        if (readTimeout != null) {
            Checks.positive("readTimeout", readTimeout);
            Checks.millis("readTimeout", readTimeout);
        }
        Checks.atLeast("inputBufferSize", 64, inputBufferSize);
        Checks.atLeast("outputBufferSize", 64, outputBufferSize);
    }

    /** Connect timeout 10 s, no read timeout, TCP_NODELAY on, 8 KiB buffers, no TLS. */
    public static ConnectOptions defaults() {
        return DEFAULTS;
    }

    public ConnectOptions withConnectTimeout(Duration timeout) {
        return new ConnectOptions(timeout, readTimeout, tcpNoDelay, inputBufferSize, outputBufferSize, tls);
    }

    /**
     * These options with another read timeout.
     *
     * @param timeout the read timeout, or null for none
     */
    public ConnectOptions withReadTimeout(Duration timeout) {
        return new ConnectOptions(connectTimeout, timeout, tcpNoDelay, inputBufferSize, outputBufferSize, tls);
    }

    public ConnectOptions withTcpNoDelay(boolean on) {
        return new ConnectOptions(connectTimeout, readTimeout, on, inputBufferSize, outputBufferSize, tls);
    }

    public ConnectOptions withBufferSizes(int input, int output) {
        return new ConnectOptions(connectTimeout, readTimeout, tcpNoDelay, input, output, tls);
    }

    /**
     * These options with TLS, or plaintext when {@code tls} is null. {@link TcpClient#connect} then does
     * the handshake within the connect timeout: the server's certificate must be trusted by the options'
     * context and, unless {@link TlsOptions#withVerifyHostname(boolean) turned off}, name the host
     * connected to; SNI carries that host name. A client that keeps these options resumes sessions.
     */
    public ConnectOptions withTls(TlsOptions tls) {
        return new ConnectOptions(connectTimeout, readTimeout, tcpNoDelay, inputBufferSize, outputBufferSize, tls);
    }

    static ConnectOptions orDefaults(ConnectOptions o) {
        return Objects.requireNonNullElse(o, DEFAULTS);
    }
}

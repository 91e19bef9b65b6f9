package dev.warren.streaming.source;

import dev.warren.net.ListenerOptions;
import dev.warren.net.frame.FrameFormat;
import dev.warren.streaming.Source;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Static factories for the built-in {@link Source}s of lines: files, stdin, UDP datagrams, and framed
 * TCP messages.
 *
 * <p>Line sources split on {@code \n} (a preceding {@code \r} is removed), decode UTF-8, and hand every
 * line, empty ones included, to the job's parser. A line longer than {@code maxLineLength} characters is
 * not parsed: the source skips to the next newline and {@linkplain dev.warren.streaming.Emitter#reject
 * reports} it as a parse error with its first characters. A source ends at end of input.
 */
public final class Sources {
    /** The default longest line, in characters. */
    public static final int DEFAULT_MAX_LINE = 8192;

    private Sources() {}

    /** The lines of the file at {@code path}, read once from the start. */
    public static Source<String> lines(Path path) {
        return lines(path, DEFAULT_MAX_LINE);
    }

    /** The lines of the file at {@code path}, at most {@code maxLineLength} characters each. */
    public static Source<String> lines(Path path, int maxLineLength) {
        Objects.requireNonNull(path, "path");
        return new LineSource(
                "file:" + path, () -> java.nio.file.Files.newInputStream(path), true, checkMax(maxLineLength));
    }

    /**
     * The lines of {@code in}, named {@code name}. The source closes {@code in} when it ends or the job
     * shuts down.
     */
    public static Source<String> lines(String name, InputStream in, int maxLineLength) {
        Objects.requireNonNull(in, "in");
        return new LineSource(Objects.requireNonNull(name, "name"), () -> in, true, checkMax(maxLineLength));
    }

    /** The lines of standard input (which is not closed at the end). */
    public static Source<String> stdin() {
        return new LineSource("stdin", () -> System.in, false, DEFAULT_MAX_LINE);
    }

    /**
     * Lines received over UDP on {@code port} (0: a free one, see {@link UdpLineSource#awaitPort}) of every
     * local address, with the system's receive buffer size and lines of at most
     * {@value #DEFAULT_MAX_LINE} characters.
     */
    public static UdpLineSource udpLines(int port) {
        return udpLines(null, port, 0, DEFAULT_MAX_LINE);
    }

    /**
     * Lines received over UDP; see {@link UdpLineSource}.
     *
     * @param bindAddress the local address to bind, or null for every local address
     * @param port 0..65535; 0 picks a free port
     * @param receiveBufferSize SO_RCVBUF to request in bytes (the kernel may cap it), or 0 for the system's
     *     default; a larger buffer absorbs longer bursts before the kernel drops datagrams
     * @param maxLineLength the longest line, in characters, {@code > 0}
     */
    public static UdpLineSource udpLines(InetAddress bindAddress, int port, int receiveBufferSize, int maxLineLength) {
        ListenerOptions listener = ListenerOptions.defaults().withPort(port).withName("udp:" + port);
        return udpLines(
                bindAddress == null ? listener : listener.withBindAddress(bindAddress),
                receiveBufferSize,
                maxLineLength);
    }

    /**
     * Lines received over UDP where {@code listener} says (its name, bind address and port; a datagram
     * socket has no connections, so the rest does not apply); see {@link UdpLineSource}.
     *
     * @param listener the source's name (shown in the job's statistics), address and port
     * @param receiveBufferSize SO_RCVBUF to request in bytes, or 0 for the system's default
     * @param maxLineLength the longest line, in characters, {@code > 0}
     */
    public static UdpLineSource udpLines(ListenerOptions listener, int receiveBufferSize, int maxLineLength) {
        Objects.requireNonNull(listener, "listener");
        if (receiveBufferSize < 0) {
            throw new IllegalArgumentException("receiveBufferSize must be >= 0, was " + receiveBufferSize);
        }
        return new UdpLineSource(listener, receiveBufferSize, checkMax(maxLineLength));
    }

    /**
     * Framed messages received over TCP on {@code port} of every local address, one record per frame;
     * see {@link TcpFrameSource}. Open connections get 1 s to finish at shutdown.
     */
    public static TcpFrameSource tcpFrames(int port, FrameFormat format) {
        return tcpFrames(null, port, format, Duration.ofSeconds(1));
    }

    /**
     * Framed messages received over TCP; see {@link TcpFrameSource}.
     *
     * @param bindAddress the local address to listen on, or null for every local address
     * @param port 0..65535; 0 picks a free port
     * @param format the framing, e.g. {@link FrameFormat#buffStreams(int)}
     * @param drainTimeout how long open connections may go on at shutdown, {@code >= 0}
     */
    public static TcpFrameSource tcpFrames(
            InetAddress bindAddress, int port, FrameFormat format, Duration drainTimeout) {
        ListenerOptions listener = ListenerOptions.defaults()
                .withPort(port)
                .withName("tcp:" + port)
                .withDrainTimeout(drainTimeout);
        return tcpFrames(bindAddress == null ? listener : listener.withBindAddress(bindAddress), format);
    }

    /**
     * Framed messages received over TCP, on the listener {@code listener} describes (name, address, port,
     * connection limit and policy, timeouts, reactor); see {@link TcpFrameSource}.
     *
     * @param listener the source's listener; its name is the source's name in the job's statistics
     * @param format the framing, e.g. {@link FrameFormat#buffStreams(int)}
     */
    public static TcpFrameSource tcpFrames(ListenerOptions listener, FrameFormat format) {
        return tcpFrames(listener, format, DEFAULT_MAX_LINE);
    }

    /**
     * Like {@link #tcpFrames(ListenerOptions, FrameFormat)}, with the longest record taken, in characters
     * (longer ones are counted parse errors).
     *
     * @throws IllegalArgumentException if {@code maxLineLength} is not positive
     */
    public static TcpFrameSource tcpFrames(ListenerOptions listener, FrameFormat format, int maxLineLength) {
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(format, "format");
        return new TcpFrameSource(listener, format, checkMax(maxLineLength));
    }

    static int checkMax(int max) {
        if (max <= 0) {
            throw new IllegalArgumentException("maxLineLength must be > 0, was " + max);
        }
        return max;
    }

    static final java.nio.charset.Charset UTF8 = StandardCharsets.UTF_8;
}

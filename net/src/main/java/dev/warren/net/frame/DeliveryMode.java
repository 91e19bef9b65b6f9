package dev.warren.net.frame;

/** What a {@link MessageClient} promises about messages it has accepted with {@code send}. */
public enum DeliveryMode {
    /**
     * The default, and plain BuffStreams on the wire. Each message is written at most once, in order;
     * messages still queued or in flight (written to the socket but not yet read by the server's
     * handler) when the connection dies may be lost. The client reconnects and carries on with the next
     * queued message. Works with any peer that reads the frame format.
     */
    AT_MOST_ONCE,
    /**
     * Every accepted message reaches the server's handler at least once, as long as the client is not
     * closed before it was acknowledged (and does not give up reconnecting). The client keeps each
     * message until the server acknowledges it and, after a reconnect, sends every unacknowledged one
     * again, in order, before newer ones. A message the server handled but whose acknowledgement was
     * lost with the connection is delivered twice: receivers must tolerate duplicates (ordering on one
     * connection is kept; across a reconnect a duplicate run may repeat a suffix of what was handled).
     * Needs a Warren {@link MessageServer} with acknowledgements on (the default) as the peer.
     */
    AT_LEAST_ONCE
}

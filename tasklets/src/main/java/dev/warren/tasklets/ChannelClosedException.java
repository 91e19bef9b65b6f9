package dev.warren.tasklets;

/**
 * Thrown by a send on a closed {@link Channel}, and by a receive once the channel is closed and every
 * value queued before the close has been received.
 *
 * <p>This is the normal end of a stream, not an error: a receiving loop ends on it. So it carries no
 * stack trace (its message names the channel): a million receivers released by one {@code close()}
 * would otherwise each walk their stack to fill one in that nobody reads.
 */
public final class ChannelClosedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String channelName;

    /** @param channelName the name of the closed channel */
    public ChannelClosedException(String channelName) {
        this("channel '" + channelName + "' is closed", channelName);
    }

    ChannelClosedException(String message, String channelName) {
        super(message, null, false, false);
        this.channelName = channelName;
    }

    /** The name of the channel that is closed (for a {@link Select}, the names of all of them). */
    public String channelName() {
        return channelName;
    }
}

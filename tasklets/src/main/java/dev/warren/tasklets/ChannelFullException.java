package dev.warren.tasklets;

/**
 * Thrown by {@link Channel#send} on a full channel whose policy is {@link OverflowPolicy#FAIL}. The
 * value was not queued; the refusal is counted in {@link Channel#rejectedCount()}.
 */
public final class ChannelFullException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String channelName;

    /**
     * @param channelName the name of the full channel
     * @param capacity its capacity
     */
    public ChannelFullException(String channelName, int capacity) {
        super("channel '" + channelName + "' is full (capacity " + capacity + ")");
        this.channelName = channelName;
    }

    /** The name of the full channel. */
    public String channelName() {
        return channelName;
    }
}

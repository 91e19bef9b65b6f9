package dev.warren.tasklets;

/**
 * Cache-line padding around the senders' hot fields of {@link ArrayChannel}, in the JCTools way
 * (HotSpot lays superclass fields out first). Without it every reservation a sender makes would
 * invalidate the line receivers read the channel's final fields from.
 */
final class ChannelPads {
    private ChannelPads() {}

    abstract static class Pad0 {
        long p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p0a, p0b, p0c, p0d, p0e, p0f;
    }

    /** Written by senders: the reservation counter (with the closed bit) and a cached send limit. */
    abstract static class SenderFields extends Pad0 {
        volatile long reserved;
        long sendLimit;
    }

    abstract static class Pad1 extends SenderFields {
        long p10, p11, p12, p13, p14, p15, p16, p17, p18, p19, p1a, p1b, p1c, p1d, p1e, p1f;
    }
}

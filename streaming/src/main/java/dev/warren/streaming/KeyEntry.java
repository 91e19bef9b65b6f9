package dev.warren.streaming;

/** One live key on its shard: its state, its windows, and its place in the shard's timers. Shard-confined. */
final class KeyEntry {
    static final long NONE = Long.MAX_VALUE;
    static final long EVICTED = Long.MIN_VALUE;
    /** Dropped by a discard (handed over to another process), not evicted: no tombstone. */
    static final long DISCARDED = Long.MIN_VALUE + 1;

    final Object key;
    Object state;
    /** The window structure of the key's {@link WindowLogic}, or null before the first event. */
    Object win;
    /** The time of the key's newest accepted event, for the idle TTL. */
    long lastSeen = Long.MIN_VALUE;
    /** The timer bucket this key is registered in ({@link #NONE}: none; {@link #EVICTED}: gone). */
    long scheduled = NONE;
    /** Listed in its shard's keys changed since the last checkpoint (changelog only). */
    boolean dirty;

    /** The lane whose time closes this key's windows: the lane of the event that made the entry. */
    final Shard.Lane lane;

    KeyEntry(Object key, Shard.Lane lane) {
        this.key = key;
        this.lane = lane;
    }
}

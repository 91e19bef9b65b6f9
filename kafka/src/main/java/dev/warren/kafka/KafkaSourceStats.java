package dev.warren.kafka;

/**
 * Counters of a {@link KafkaSource} at one moment.
 *
 * @param records records polled from the input topic
 * @param badRecords records the parser refused (or with a timestamp too far ahead of the clock)
 * @param deadLettered bad and late records written to the dead-letter topic
 * @param commits offset commits (exactly-once: committed transactions) that succeeded
 * @param failedCommits offset commits that failed (a rebalance, the broker away: their records are
 *     committed later or replayed), or transactions aborted (tried again at the next interval)
 * @param rebalances partition assignments and revocations seen
 * @param suppressed exactly-once: window results not written because the partition's previous owner
 *     wrote them in a committed transaction (see {@link KafkaSource}, "Delivery: exactly-once")
 * @param partitions partitions assigned now
 * @param watermark the earliest of its partitions' watermarks (milliseconds), {@link Long#MIN_VALUE}
 *     while a partition has not delivered its first record
 * @param restoredKeys keys whose open windows were read back from the changelog, in every assignment so far
 * @param lastRestoreMillis how long the last assignment's restore from the changelog took (reading and
 *     handing the keys to the shards), -1 before the first one
 * @param changelogRecords records written to the changelog (states and tombstones)
 */
public record KafkaSourceStats(
        long records,
        long badRecords,
        long deadLettered,
        long commits,
        long failedCommits,
        long rebalances,
        long suppressed,
        int partitions,
        long watermark,
        long restoredKeys,
        long lastRestoreMillis,
        long changelogRecords) {}

package io.sluice.broker.group;

/** The coordinator's settings, from the broker config (Kafka's keys). */
public record GroupConfig(int sessionTimeoutMs, int heartbeatIntervalMs, int maxSize, int offsetsTopicPartitions,
    short offsetsTopicReplicationFactor, int offsetsTopicSegmentBytes, long offsetsRetentionMs,
    long offsetsRetentionCheckIntervalMs, int offsetMetadataMaxBytes, int offsetCommitTimeoutMs)
{
}

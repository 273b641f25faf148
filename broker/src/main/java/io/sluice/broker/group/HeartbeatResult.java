package io.sluice.broker.group;

import io.sluice.common.TopicPartition;

import java.util.Set;

/** What a heartbeat answers: the member's id and epoch, when to come back, and the partitions it may own. */
public record HeartbeatResult(String memberId, int memberEpoch, int heartbeatIntervalMs, Set<TopicPartition> assignment)
{
}

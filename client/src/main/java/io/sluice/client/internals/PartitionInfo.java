package io.sluice.client.internals;

import io.sluice.common.TopicPartition;

import java.util.List;

/** A partition's leader, leader epoch, replicas and in-sync replicas, as the client last learned them. */
public record PartitionInfo(TopicPartition topicPartition, int leader, int leaderEpoch, List<Integer> replicas,
    List<Integer> isr)
{
}

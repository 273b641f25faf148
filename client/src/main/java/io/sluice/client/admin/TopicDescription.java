package io.sluice.client.admin;

import io.sluice.client.internals.PartitionInfo;

import java.util.List;

/** A topic's partitions with their leaders, replicas and in-sync replicas. */
public record TopicDescription(String name, boolean internal, List<PartitionInfo> partitions)
{
}

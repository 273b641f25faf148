package io.sluice.client.internals;

import io.sluice.common.TopicPartition;
import io.sluice.common.protocol.Errors;

import java.util.Collections;
import java.util.List;
import java.util.Map;

/** An immutable snapshot of what a client knows of the cluster. */
public record Cluster(String clusterId, Map<Integer, Node> nodes, Map<String, List<PartitionInfo>> topics,
    Map<String, Errors> topicErrors, Map<String, Boolean> internal)
{
    public static final Cluster EMPTY = new Cluster(null, Map.of(), Map.of(), Map.of(), Map.of());

    /** The partitions of a topic, or an empty list if it is unknown. */
    public List<PartitionInfo> partitions(final String topic)
    {
        return topics.getOrDefault(topic, Collections.emptyList());
    }

    public PartitionInfo partition(final TopicPartition tp)
    {
        final List<PartitionInfo> partitions = topics.get(tp.topic());
        return partitions == null || tp.partition() >= partitions.size() ? null : partitions.get(tp.partition());
    }

    /** The leader's address, or null when the partition or its leader is unknown. */
    public Node leader(final TopicPartition tp)
    {
        final PartitionInfo info = partition(tp);
        return info == null ? null : nodes.get(info.leader());
    }
}

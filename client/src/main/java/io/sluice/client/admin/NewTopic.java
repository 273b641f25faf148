package io.sluice.client.admin;

import java.util.Map;

/** A topic to create: name, partitions and replication factor (-1 for the broker's defaults), config overrides. */
public record NewTopic(String name, int numPartitions, short replicationFactor, Map<String, String> configs)
{
    public NewTopic(final String name, final int numPartitions, final short replicationFactor)
    {
        this(name, numPartitions, replicationFactor, Map.of());
    }
}

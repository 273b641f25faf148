package io.sluice.broker.metadata;

import java.util.List;
import java.util.Map;

/** A topic: its name, config overrides and partitions (indexed by partition number). Immutable. */
public record TopicImage(String name, Map<String, String> configs, List<PartitionImage> partitions)
{
    public int partitionCount()
    {
        return partitions.size();
    }
}

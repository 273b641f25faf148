package io.sluice.broker.group;

/** The internal compacted topic that stores committed offsets and group records, and which group lives where. */
public final class OffsetsTopic
{
    public static final String NAME = "__consumer_offsets";

    private OffsetsTopic()
    {
    }

    /** The partition that holds {@code groupId}'s records; its leader coordinates the group. Kafka's formula. */
    public static int partitionFor(final String groupId, final int partitionCount)
    {
        final int hash = groupId.hashCode();
        return (hash == Integer.MIN_VALUE ? 0 : Math.abs(hash)) % partitionCount;
    }
}

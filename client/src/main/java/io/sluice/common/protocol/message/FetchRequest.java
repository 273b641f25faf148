package io.sluice.common.protocol.message;

import io.sluice.common.protocol.MessageReader;
import io.sluice.common.protocol.MessageWriter;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads from partitions. The broker parks the request until {@code minBytes} are available or {@code maxWaitMs}
 * passes. {@code replicaId} is -1 for consumers and the broker id for followers; {@code currentLeaderEpoch} (-1 if
 * unknown) lets the broker fence a client whose metadata is stale. Version 1 adds {@code lastFetchedEpoch}: the
 * leader epoch of the last batch a follower holds, so the leader can tell when that follower's log diverged from
 * its own.
 */
public record FetchRequest(int replicaId, int maxWaitMs, int minBytes, int maxBytes, byte isolationLevel,
    List<TopicData> topics) implements Message
{
    public static final int CONSUMER_REPLICA_ID = -1;

    public record TopicData(String name, List<PartitionData> partitions)
    {
    }

    public record PartitionData(int partition, int currentLeaderEpoch, long fetchOffset, int lastFetchedEpoch,
        long logStartOffset, int partitionMaxBytes)
    {
        /** A consumer's fetch: no last fetched epoch. */
        public PartitionData(final int partition, final int currentLeaderEpoch, final long fetchOffset,
            final long logStartOffset, final int partitionMaxBytes)
        {
            this(partition, currentLeaderEpoch, fetchOffset, -1, logStartOffset, partitionMaxBytes);
        }
    }

    @Override
    public void write(final MessageWriter writer)
    {
        writer.writeInt(replicaId).writeInt(maxWaitMs).writeInt(minBytes).writeInt(maxBytes).writeByte(isolationLevel)
            .writeArrayLength(topics.size());
        for (final TopicData topic : topics)
        {
            writer.writeString(topic.name).writeArrayLength(topic.partitions.size());
            for (final PartitionData p : topic.partitions)
            {
                writer.writeInt(p.partition).writeInt(p.currentLeaderEpoch).writeLong(p.fetchOffset)
                    .writeInt(p.lastFetchedEpoch).writeLong(p.logStartOffset).writeInt(p.partitionMaxBytes);
            }
        }
    }

    /** Reads version {@code version}; this build writes the latest. */
    public static FetchRequest read(final MessageReader reader, final short version)
    {
        final int replicaId = reader.readInt();
        final int maxWait = reader.readInt();
        final int minBytes = reader.readInt();
        final int maxBytes = reader.readInt();
        final byte isolation = reader.readByte();
        final int topicCount = reader.readArrayLength(6);
        final List<TopicData> topics = new ArrayList<>();
        for (int t = 0; t < topicCount; t++)
        {
            final String name = reader.readRequiredString("topic name");
            final int n = reader.readArrayLength(version >= 1 ? 32 : 28);
            final List<PartitionData> partitions = new ArrayList<>();
            for (int p = 0; p < n; p++)
            {
                final int partition = reader.readInt();
                final int currentLeaderEpoch = reader.readInt();
                final long fetchOffset = reader.readLong();
                final int lastFetchedEpoch = version >= 1 ? reader.readInt() : -1;
                partitions.add(new PartitionData(partition, currentLeaderEpoch, fetchOffset, lastFetchedEpoch,
                    reader.readLong(), reader.readInt()));
            }
            topics.add(new TopicData(name, partitions));
        }
        return new FetchRequest(replicaId, maxWait, minBytes, maxBytes, isolation, topics);
    }
}

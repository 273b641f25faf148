package io.sluice.common.protocol.message;

import io.sluice.common.protocol.MessageReader;
import io.sluice.common.protocol.MessageWriter;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads from partitions. The broker parks the request until {@code minBytes} are available or {@code maxWaitMs}
 * passes. {@code replicaId} is -1 for consumers and the broker id for followers; {@code currentLeaderEpoch} (-1 if
 * unknown) lets the broker fence a client whose metadata is stale.
 */
public record FetchRequest(int replicaId, int maxWaitMs, int minBytes, int maxBytes, byte isolationLevel,
    List<TopicData> topics) implements Message
{
    public static final int CONSUMER_REPLICA_ID = -1;

    public record TopicData(String name, List<PartitionData> partitions)
    {
    }

    public record PartitionData(int partition, int currentLeaderEpoch, long fetchOffset, long logStartOffset,
        int partitionMaxBytes)
    {
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
                    .writeLong(p.logStartOffset).writeInt(p.partitionMaxBytes);
            }
        }
    }

    public static FetchRequest read(final MessageReader reader)
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
            final int n = reader.readArrayLength(28);
            final List<PartitionData> partitions = new ArrayList<>();
            for (int p = 0; p < n; p++)
            {
                partitions.add(new PartitionData(reader.readInt(), reader.readInt(), reader.readLong(),
                    reader.readLong(), reader.readInt()));
            }
            topics.add(new TopicData(name, partitions));
        }
        return new FetchRequest(replicaId, maxWait, minBytes, maxBytes, isolation, topics);
    }
}

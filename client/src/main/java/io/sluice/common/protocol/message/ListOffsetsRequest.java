package io.sluice.common.protocol.message;

import io.sluice.common.protocol.MessageReader;
import io.sluice.common.protocol.MessageWriter;

import java.util.ArrayList;
import java.util.List;

/** Asks for offsets by timestamp: {@link #LATEST_TIMESTAMP}, {@link #EARLIEST_TIMESTAMP} or a time in ms. */
public record ListOffsetsRequest(int replicaId, byte isolationLevel, List<TopicData> topics) implements Message
{
    public static final long LATEST_TIMESTAMP = -1L;
    public static final long EARLIEST_TIMESTAMP = -2L;

    public record TopicData(String name, List<PartitionData> partitions)
    {
    }

    public record PartitionData(int partition, int currentLeaderEpoch, long timestamp)
    {
    }

    @Override
    public void write(final MessageWriter writer)
    {
        writer.writeInt(replicaId).writeByte(isolationLevel).writeArrayLength(topics.size());
        for (final TopicData topic : topics)
        {
            writer.writeString(topic.name).writeArrayLength(topic.partitions.size());
            for (final PartitionData p : topic.partitions)
            {
                writer.writeInt(p.partition).writeInt(p.currentLeaderEpoch).writeLong(p.timestamp);
            }
        }
    }

    public static ListOffsetsRequest read(final MessageReader reader)
    {
        final int replicaId = reader.readInt();
        final byte isolation = reader.readByte();
        final int topicCount = reader.readArrayLength(6);
        final List<TopicData> topics = new ArrayList<>();
        for (int t = 0; t < topicCount; t++)
        {
            final String name = reader.readRequiredString("topic name");
            final int n = reader.readArrayLength(16);
            final List<PartitionData> partitions = new ArrayList<>();
            for (int p = 0; p < n; p++)
            {
                partitions.add(new PartitionData(reader.readInt(), reader.readInt(), reader.readLong()));
            }
            topics.add(new TopicData(name, partitions));
        }
        return new ListOffsetsRequest(replicaId, isolation, topics);
    }
}

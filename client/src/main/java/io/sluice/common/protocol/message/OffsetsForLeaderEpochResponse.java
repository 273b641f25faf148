package io.sluice.common.protocol.message;

import io.sluice.common.protocol.MessageReader;
import io.sluice.common.protocol.MessageWriter;

import java.util.ArrayList;
import java.util.List;

/**
 * Per partition: the error, or the largest epoch at or below the one asked for that the leader knows and the offset
 * where it ends (-1, -1 when the leader knows no such epoch).
 */
public record OffsetsForLeaderEpochResponse(List<TopicData> topics) implements Message
{
    public record TopicData(String name, List<PartitionData> partitions)
    {
    }

    public record PartitionData(int partition, short errorCode, int leaderEpoch, long endOffset)
    {
    }

    @Override
    public void write(final MessageWriter writer)
    {
        writer.writeArrayLength(topics.size());
        for (final TopicData topic : topics)
        {
            writer.writeString(topic.name).writeArrayLength(topic.partitions.size());
            for (final PartitionData p : topic.partitions)
            {
                writer.writeInt(p.partition).writeShort(p.errorCode).writeInt(p.leaderEpoch).writeLong(p.endOffset);
            }
        }
    }

    public static OffsetsForLeaderEpochResponse read(final MessageReader reader)
    {
        final int topicCount = reader.readArrayLength(6);
        final List<TopicData> topics = new ArrayList<>(topicCount);
        for (int t = 0; t < topicCount; t++)
        {
            final String name = reader.readString();
            final int n = reader.readArrayLength(18);
            final List<PartitionData> partitions = new ArrayList<>(n);
            for (int p = 0; p < n; p++)
            {
                partitions.add(new PartitionData(reader.readInt(), reader.readShort(), reader.readInt(),
                    reader.readLong()));
            }
            topics.add(new TopicData(name, partitions));
        }
        return new OffsetsForLeaderEpochResponse(topics);
    }
}

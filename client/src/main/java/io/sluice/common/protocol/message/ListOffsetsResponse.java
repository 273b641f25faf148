package io.sluice.common.protocol.message;

import io.sluice.common.protocol.MessageReader;
import io.sluice.common.protocol.MessageWriter;

import java.util.ArrayList;
import java.util.List;

/** Per partition: the error, or the offset found and its timestamp (-1 when no record matches). */
public record ListOffsetsResponse(short errorCode, List<TopicData> topics) implements Message
{
    public record TopicData(String name, List<PartitionData> partitions)
    {
    }

    public record PartitionData(int partition, short errorCode, long timestamp, long offset, int leaderEpoch)
    {
    }

    @Override
    public void write(final MessageWriter writer)
    {
        writer.writeShort(errorCode).writeArrayLength(topics.size());
        for (final TopicData topic : topics)
        {
            writer.writeString(topic.name).writeArrayLength(topic.partitions.size());
            for (final PartitionData p : topic.partitions)
            {
                writer.writeInt(p.partition).writeShort(p.errorCode).writeLong(p.timestamp).writeLong(p.offset)
                    .writeInt(p.leaderEpoch);
            }
        }
    }

    public static ListOffsetsResponse read(final MessageReader reader)
    {
        final short error = reader.readShort();
        final int topicCount = reader.readArrayLength(6);
        final List<TopicData> topics = new ArrayList<>();
        for (int t = 0; t < topicCount; t++)
        {
            final String name = reader.readString();
            final int n = reader.readArrayLength(26);
            final List<PartitionData> partitions = new ArrayList<>();
            for (int p = 0; p < n; p++)
            {
                partitions.add(new PartitionData(reader.readInt(), reader.readShort(), reader.readLong(),
                    reader.readLong(), reader.readInt()));
            }
            topics.add(new TopicData(name, partitions));
        }
        return new ListOffsetsResponse(error, topics);
    }
}

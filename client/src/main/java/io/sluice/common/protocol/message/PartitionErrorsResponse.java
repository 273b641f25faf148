package io.sluice.common.protocol.message;

import io.sluice.common.protocol.MessageReader;
import io.sluice.common.protocol.MessageWriter;

import java.util.ArrayList;
import java.util.List;

/** A top-level error and one error code per partition: the answer to OffsetCommit. */
public record PartitionErrorsResponse(short errorCode, List<TopicData> topics) implements Message
{
    public record TopicData(String name, List<PartitionError> partitions)
    {
    }

    public record PartitionError(int partition, short errorCode)
    {
    }

    @Override
    public void write(final MessageWriter writer)
    {
        writer.writeShort(errorCode).writeArrayLength(topics.size());
        for (final TopicData topic : topics)
        {
            writer.writeString(topic.name).writeArrayLength(topic.partitions.size());
            for (final PartitionError p : topic.partitions)
            {
                writer.writeInt(p.partition).writeShort(p.errorCode);
            }
        }
    }

    public static PartitionErrorsResponse read(final MessageReader reader)
    {
        final short error = reader.readShort();
        final int topicCount = reader.readArrayLength(6);
        final List<TopicData> topics = new ArrayList<>(Math.max(0, topicCount));
        for (int t = 0; t < topicCount; t++)
        {
            final String name = reader.readString();
            final int n = reader.readArrayLength(6);
            final List<PartitionError> partitions = new ArrayList<>(Math.max(0, n));
            for (int p = 0; p < n; p++)
            {
                partitions.add(new PartitionError(reader.readInt(), reader.readShort()));
            }
            topics.add(new TopicData(name, partitions));
        }
        return new PartitionErrorsResponse(error, topics);
    }
}

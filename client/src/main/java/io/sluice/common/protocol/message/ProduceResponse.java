package io.sluice.common.protocol.message;

import io.sluice.common.protocol.MessageReader;
import io.sluice.common.protocol.MessageWriter;

import java.util.ArrayList;
import java.util.List;

/** Per partition: the error, or the offset of the first appended record and the log append time. */
public record ProduceResponse(short errorCode, List<TopicResult> topics) implements Message
{
    public record TopicResult(String name, List<PartitionResult> partitions)
    {
    }

    public record PartitionResult(int partition, short errorCode, long baseOffset, long logAppendTimeMs,
        long logStartOffset, String errorMessage)
    {
    }

    @Override
    public void write(final MessageWriter writer)
    {
        writer.writeShort(errorCode).writeArrayLength(topics.size());
        for (final TopicResult topic : topics)
        {
            writer.writeString(topic.name).writeArrayLength(topic.partitions.size());
            for (final PartitionResult p : topic.partitions)
            {
                writer.writeInt(p.partition).writeShort(p.errorCode).writeLong(p.baseOffset)
                    .writeLong(p.logAppendTimeMs).writeLong(p.logStartOffset).writeString(p.errorMessage);
            }
        }
    }

    public static ProduceResponse read(final MessageReader reader)
    {
        final short error = reader.readShort();
        final int topicCount = reader.readArrayLength(6);
        final List<TopicResult> topics = new ArrayList<>();
        for (int t = 0; t < topicCount; t++)
        {
            final String name = reader.readString();
            final int n = reader.readArrayLength(32);
            final List<PartitionResult> partitions = new ArrayList<>();
            for (int p = 0; p < n; p++)
            {
                partitions.add(new PartitionResult(reader.readInt(), reader.readShort(), reader.readLong(),
                    reader.readLong(), reader.readLong(), reader.readString()));
            }
            topics.add(new TopicResult(name, partitions));
        }
        return new ProduceResponse(error, topics);
    }
}

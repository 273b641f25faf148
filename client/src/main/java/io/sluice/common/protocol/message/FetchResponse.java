package io.sluice.common.protocol.message;

import io.sluice.common.protocol.MemoryRecordSet;
import io.sluice.common.protocol.MessageReader;
import io.sluice.common.protocol.MessageWriter;
import io.sluice.common.protocol.RecordSet;

import java.util.ArrayList;
import java.util.List;

/**
 * Per partition: the error, the high watermark, the log start offset and whole record batches. On the broker the
 * records are slices of segment files sent with zero copy; a client reads them into memory.
 */
public record FetchResponse(short errorCode, List<TopicData> topics) implements Message
{
    public record TopicData(String name, List<PartitionData> partitions)
    {
    }

    public record PartitionData(int partition, short errorCode, long highWatermark, long lastStableOffset,
        long logStartOffset, RecordSet records)
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
                writer.writeInt(p.partition).writeShort(p.errorCode).writeLong(p.highWatermark)
                    .writeLong(p.lastStableOffset).writeLong(p.logStartOffset).writeRecords(p.records);
            }
        }
    }

    public static FetchResponse read(final MessageReader reader)
    {
        final short error = reader.readShort();
        final int topicCount = reader.readArrayLength(6);
        final List<TopicData> topics = new ArrayList<>();
        for (int t = 0; t < topicCount; t++)
        {
            final String name = reader.readString();
            final int n = reader.readArrayLength(34);
            final List<PartitionData> partitions = new ArrayList<>();
            for (int p = 0; p < n; p++)
            {
                partitions.add(new PartitionData(reader.readInt(), reader.readShort(), reader.readLong(),
                    reader.readLong(), reader.readLong(), new MemoryRecordSet(reader.readRecordsDetached())));
            }
            topics.add(new TopicData(name, partitions));
        }
        return new FetchResponse(error, topics);
    }
}

package io.sluice.common.protocol.message;

import io.sluice.common.protocol.MemoryRecordSet;
import io.sluice.common.protocol.MessageReader;
import io.sluice.common.protocol.MessageWriter;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Appends record batches to partitions. {@code acks}: 0 (no response), 1 (the leader wrote it) or -1 (all in-sync
 * replicas have it). Received records are views of the request frame, valid while the frame is.
 */
public record ProduceRequest(String transactionalId, short acks, int timeoutMs, List<TopicData> topics)
    implements Message
{
    public record TopicData(String name, List<PartitionData> partitions)
    {
    }

    public record PartitionData(int partition, ByteBuffer records)
    {
    }

    @Override
    public void write(final MessageWriter writer)
    {
        writer.writeString(transactionalId).writeShort(acks).writeInt(timeoutMs).writeArrayLength(topics.size());
        for (final TopicData topic : topics)
        {
            writer.writeString(topic.name).writeArrayLength(topic.partitions.size());
            for (final PartitionData partition : topic.partitions)
            {
                writer.writeInt(partition.partition).writeRecords(new MemoryRecordSet(partition.records));
            }
        }
    }

    public static ProduceRequest read(final MessageReader reader)
    {
        final String transactionalId = reader.readString();
        final short acks = reader.readShort();
        final int timeoutMs = reader.readInt();
        final int topicCount = reader.readArrayLength(6);
        final List<TopicData> topics = new ArrayList<>();
        for (int t = 0; t < topicCount; t++)
        {
            final String name = reader.readRequiredString("topic name");
            final int partitionCount = reader.readArrayLength(8);
            final List<PartitionData> partitions = new ArrayList<>();
            for (int p = 0; p < partitionCount; p++)
            {
                final int partition = reader.readInt();
                final ByteBuffer records = reader.readRecordsView();
                partitions.add(new PartitionData(partition, records == null ? ByteBuffer.allocate(0) : records));
            }
            topics.add(new TopicData(name, partitions));
        }
        return new ProduceRequest(transactionalId, acks, timeoutMs, topics);
    }
}

package io.sluice.common.protocol.message;

import io.sluice.common.protocol.MessageReader;
import io.sluice.common.protocol.MessageWriter;

import java.util.ArrayList;
import java.util.List;

/**
 * The cluster as the broker sees it: brokers with their endpoints, the controller, and per topic its partitions
 * with leader, leader epoch, replicas and in-sync replicas. Per-topic and per-partition error codes tell a client
 * which parts to retry.
 */
public record MetadataResponse(short errorCode, List<Broker> brokers, String clusterId, int controllerId,
    List<Topic> topics) implements Message
{
    public record Broker(int nodeId, String host, int port, String rack)
    {
    }

    public record Topic(short errorCode, String name, boolean internal, List<Partition> partitions)
    {
    }

    public record Partition(short errorCode, int partition, int leader, int leaderEpoch, List<Integer> replicas,
        List<Integer> isr)
    {
    }

    @Override
    public void write(final MessageWriter writer)
    {
        writer.writeShort(errorCode).writeArrayLength(brokers.size());
        for (final Broker broker : brokers)
        {
            writer.writeInt(broker.nodeId).writeString(broker.host).writeInt(broker.port).writeString(broker.rack);
        }
        writer.writeString(clusterId).writeInt(controllerId).writeArrayLength(topics.size());
        for (final Topic topic : topics)
        {
            writer.writeShort(topic.errorCode).writeString(topic.name).writeBoolean(topic.internal)
                .writeArrayLength(topic.partitions.size());
            for (final Partition p : topic.partitions)
            {
                writer.writeShort(p.errorCode).writeInt(p.partition).writeInt(p.leader).writeInt(p.leaderEpoch);
                writeInts(writer, p.replicas);
                writeInts(writer, p.isr);
            }
        }
    }

    static void writeInts(final MessageWriter writer, final List<Integer> values)
    {
        writer.writeArrayLength(values.size());
        values.forEach(writer::writeInt);
    }

    static List<Integer> readInts(final MessageReader reader)
    {
        final int n = reader.readArrayLength(4);
        final List<Integer> values = new ArrayList<>(Math.max(0, n));
        for (int i = 0; i < n; i++)
        {
            values.add(reader.readInt());
        }
        return values;
    }

    public static MetadataResponse read(final MessageReader reader)
    {
        final short error = reader.readShort();
        final int brokerCount = reader.readArrayLength(10);
        final List<Broker> brokers = new ArrayList<>();
        for (int i = 0; i < brokerCount; i++)
        {
            brokers.add(new Broker(reader.readInt(), reader.readString(), reader.readInt(), reader.readString()));
        }
        final String clusterId = reader.readString();
        final int controllerId = reader.readInt();
        final int topicCount = reader.readArrayLength(9);
        final List<Topic> topics = new ArrayList<>();
        for (int t = 0; t < topicCount; t++)
        {
            final short topicError = reader.readShort();
            final String name = reader.readString();
            final boolean internal = reader.readBoolean();
            final int partitionCount = reader.readArrayLength(22);
            final List<Partition> partitions = new ArrayList<>();
            for (int p = 0; p < partitionCount; p++)
            {
                partitions.add(new Partition(reader.readShort(), reader.readInt(), reader.readInt(), reader.readInt(),
                    readInts(reader), readInts(reader)));
            }
            topics.add(new Topic(topicError, name, internal, partitions));
        }
        return new MetadataResponse(error, brokers, clusterId, controllerId, topics);
    }
}

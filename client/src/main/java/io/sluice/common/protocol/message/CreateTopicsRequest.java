package io.sluice.common.protocol.message;

import io.sluice.common.protocol.MessageReader;
import io.sluice.common.protocol.MessageWriter;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Creates topics; a partition count or replication factor of -1 means the broker's default. */
public record CreateTopicsRequest(List<Topic> topics, int timeoutMs, boolean validateOnly) implements Message
{
    public record Topic(String name, int numPartitions, short replicationFactor, Map<String, String> configs)
    {
    }

    @Override
    public void write(final MessageWriter writer)
    {
        writer.writeArrayLength(topics.size());
        for (final Topic topic : topics)
        {
            writer.writeString(topic.name).writeInt(topic.numPartitions).writeShort(topic.replicationFactor)
                .writeArrayLength(topic.configs.size());
            topic.configs.forEach((k, v) -> writer.writeString(k).writeString(v));
        }
        writer.writeInt(timeoutMs).writeBoolean(validateOnly);
    }

    public static CreateTopicsRequest read(final MessageReader reader)
    {
        final int n = reader.readArrayLength(12);
        final List<Topic> topics = new ArrayList<>();
        for (int i = 0; i < n; i++)
        {
            final String name = reader.readRequiredString("topic name");
            final int partitions = reader.readInt();
            final short replication = reader.readShort();
            final int configCount = reader.readArrayLength(4);
            final Map<String, String> configs = new LinkedHashMap<>();
            for (int c = 0; c < configCount; c++)
            {
                configs.put(reader.readRequiredString("config name"), reader.readString());
            }
            topics.add(new Topic(name, partitions, replication, configs));
        }
        return new CreateTopicsRequest(topics, reader.readInt(), reader.readBoolean());
    }
}

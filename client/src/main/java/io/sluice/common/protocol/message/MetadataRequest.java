package io.sluice.common.protocol.message;

import io.sluice.common.protocol.MessageReader;
import io.sluice.common.protocol.MessageWriter;

import java.util.ArrayList;
import java.util.List;

/** Asks for brokers and for the partitions of {@code topics} (all topics when null). */
public record MetadataRequest(List<String> topics, boolean allowAutoTopicCreation) implements Message
{
    @Override
    public void write(final MessageWriter writer)
    {
        if (topics == null)
        {
            writer.writeArrayLength(-1);
        }
        else
        {
            writer.writeArrayLength(topics.size());
            topics.forEach(writer::writeString);
        }
        writer.writeBoolean(allowAutoTopicCreation);
    }

    public static MetadataRequest read(final MessageReader reader)
    {
        final int n = reader.readArrayLength(2);
        List<String> topics = null;
        if (n >= 0)
        {
            topics = new ArrayList<>(n);
            for (int i = 0; i < n; i++)
            {
                topics.add(reader.readRequiredString("topic name"));
            }
        }
        return new MetadataRequest(topics, reader.readBoolean());
    }
}

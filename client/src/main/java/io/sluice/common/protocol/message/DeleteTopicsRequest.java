package io.sluice.common.protocol.message;

import io.sluice.common.protocol.MessageReader;
import io.sluice.common.protocol.MessageWriter;

import java.util.ArrayList;
import java.util.List;

/** Deletes topics by name; their files go in the background. */
public record DeleteTopicsRequest(List<String> topics, int timeoutMs) implements Message
{
    @Override
    public void write(final MessageWriter writer)
    {
        writer.writeArrayLength(topics.size());
        topics.forEach(writer::writeString);
        writer.writeInt(timeoutMs);
    }

    public static DeleteTopicsRequest read(final MessageReader reader)
    {
        final int n = reader.readArrayLength(2);
        final List<String> topics = new ArrayList<>();
        for (int i = 0; i < n; i++)
        {
            topics.add(reader.readRequiredString("topic name"));
        }
        return new DeleteTopicsRequest(topics, reader.readInt());
    }
}

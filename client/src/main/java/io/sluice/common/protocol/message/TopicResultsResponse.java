package io.sluice.common.protocol.message;

import io.sluice.common.protocol.MessageReader;
import io.sluice.common.protocol.MessageWriter;

import java.util.ArrayList;
import java.util.List;

/** The answer to CreateTopics and DeleteTopics: one error code and message per topic named in the request. */
public record TopicResultsResponse(short errorCode, List<TopicResult> results) implements Message
{
    public record TopicResult(String name, short errorCode, String errorMessage)
    {
    }

    @Override
    public void write(final MessageWriter writer)
    {
        writer.writeShort(errorCode).writeArrayLength(results.size());
        for (final TopicResult result : results)
        {
            writer.writeString(result.name).writeShort(result.errorCode).writeString(result.errorMessage);
        }
    }

    public static TopicResultsResponse read(final MessageReader reader)
    {
        final short error = reader.readShort();
        final int n = reader.readArrayLength(6);
        final List<TopicResult> results = new ArrayList<>();
        for (int i = 0; i < n; i++)
        {
            results.add(new TopicResult(reader.readString(), reader.readShort(), reader.readString()));
        }
        return new TopicResultsResponse(error, results);
    }
}

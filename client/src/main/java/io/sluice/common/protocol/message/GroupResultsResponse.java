package io.sluice.common.protocol.message;

import io.sluice.common.protocol.MessageReader;
import io.sluice.common.protocol.MessageWriter;

import java.util.ArrayList;
import java.util.List;

/** One error code per group: the answer to DeleteGroups. */
public record GroupResultsResponse(short errorCode, List<GroupResult> results) implements Message
{
    public record GroupResult(String groupId, short errorCode)
    {
    }

    @Override
    public void write(final MessageWriter writer)
    {
        writer.writeShort(errorCode).writeArrayLength(results.size());
        for (final GroupResult r : results)
        {
            writer.writeString(r.groupId).writeShort(r.errorCode);
        }
    }

    public static GroupResultsResponse read(final MessageReader reader)
    {
        final short error = reader.readShort();
        final int n = reader.readArrayLength(4);
        final List<GroupResult> results = new ArrayList<>(Math.max(0, n));
        for (int i = 0; i < n; i++)
        {
            results.add(new GroupResult(reader.readString(), reader.readShort()));
        }
        return new GroupResultsResponse(error, results);
    }
}

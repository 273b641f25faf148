package io.sluice.common.protocol.message;

import io.sluice.common.protocol.MessageReader;
import io.sluice.common.protocol.MessageWriter;

import java.util.ArrayList;
import java.util.List;

/** The groups a broker coordinates, with their state. */
public record ListGroupsResponse(short errorCode, List<Group> groups) implements Message
{
    public record Group(String groupId, String state, int members)
    {
    }

    @Override
    public void write(final MessageWriter writer)
    {
        writer.writeShort(errorCode).writeArrayLength(groups.size());
        for (final Group group : groups)
        {
            writer.writeString(group.groupId).writeString(group.state).writeInt(group.members);
        }
    }

    public static ListGroupsResponse read(final MessageReader reader)
    {
        final short error = reader.readShort();
        final int n = reader.readArrayLength(8);
        final List<Group> groups = new ArrayList<>(Math.max(0, n));
        for (int i = 0; i < n; i++)
        {
            groups.add(new Group(reader.readRequiredString("group id"), reader.readString(), reader.readInt()));
        }
        return new ListGroupsResponse(error, groups);
    }
}

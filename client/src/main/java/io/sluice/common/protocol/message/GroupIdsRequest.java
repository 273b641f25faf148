package io.sluice.common.protocol.message;

import io.sluice.common.protocol.MessageReader;
import io.sluice.common.protocol.MessageWriter;

import java.util.List;

/**
 * A list of group ids: the body of DescribeGroups and DeleteGroups, and of ListGroups (where it filters by state,
 * empty for all).
 */
public record GroupIdsRequest(List<String> groupIds) implements Message
{
    @Override
    public void write(final MessageWriter writer)
    {
        TopicPartitionsData.writeStrings(writer, groupIds);
    }

    public static GroupIdsRequest read(final MessageReader reader)
    {
        final List<String> ids = TopicPartitionsData.readStrings(reader, "group id");
        return new GroupIdsRequest(ids == null ? List.of() : ids);
    }
}

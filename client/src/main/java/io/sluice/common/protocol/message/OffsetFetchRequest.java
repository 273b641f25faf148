package io.sluice.common.protocol.message;

import io.sluice.common.protocol.MessageReader;
import io.sluice.common.protocol.MessageWriter;

import java.util.List;

/**
 * Reads a group's committed offsets: for {@code partitions}, or for every partition when null. A member sends its
 * id and epoch and is fenced like a commit; others send a null member id.
 */
public record OffsetFetchRequest(String groupId, String memberId, int memberEpoch,
    List<TopicPartitionsData> partitions) implements Message
{
    @Override
    public void write(final MessageWriter writer)
    {
        writer.writeString(groupId).writeString(memberId).writeInt(memberEpoch);
        TopicPartitionsData.write(writer, partitions);
    }

    public static OffsetFetchRequest read(final MessageReader reader)
    {
        return new OffsetFetchRequest(reader.readRequiredString("group id"), reader.readString(), reader.readInt(),
            TopicPartitionsData.read(reader));
    }
}

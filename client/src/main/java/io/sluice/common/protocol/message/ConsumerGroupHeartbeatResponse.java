package io.sluice.common.protocol.message;

import io.sluice.common.protocol.MessageReader;
import io.sluice.common.protocol.MessageWriter;

import java.util.List;

/**
 * The member's id and epoch, when to heartbeat next, and the partitions it may own now ({@code assignment}):
 * partitions missing from it must be released, new ones may be taken.
 */
public record ConsumerGroupHeartbeatResponse(short errorCode, String errorMessage, String memberId, int memberEpoch,
    int heartbeatIntervalMs, List<TopicPartitionsData> assignment) implements Message
{
    public static ConsumerGroupHeartbeatResponse error(final short errorCode, final String message)
    {
        return new ConsumerGroupHeartbeatResponse(errorCode, message, null, -1, 0, null);
    }

    @Override
    public void write(final MessageWriter writer)
    {
        writer.writeShort(errorCode).writeString(errorMessage).writeString(memberId).writeInt(memberEpoch)
            .writeInt(heartbeatIntervalMs);
        TopicPartitionsData.write(writer, assignment);
    }

    public static ConsumerGroupHeartbeatResponse read(final MessageReader reader)
    {
        return new ConsumerGroupHeartbeatResponse(reader.readShort(), reader.readString(), reader.readString(),
            reader.readInt(), reader.readInt(), TopicPartitionsData.read(reader));
    }
}

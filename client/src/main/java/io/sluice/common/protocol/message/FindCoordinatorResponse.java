package io.sluice.common.protocol.message;

import io.sluice.common.protocol.MessageReader;
import io.sluice.common.protocol.MessageWriter;

/** The coordinating broker, or an error (the coordinator is not elected or still loading). */
public record FindCoordinatorResponse(short errorCode, String errorMessage, int nodeId, String host, int port)
    implements Message
{
    @Override
    public void write(final MessageWriter writer)
    {
        writer.writeShort(errorCode).writeString(errorMessage).writeInt(nodeId).writeString(host).writeInt(port);
    }

    public static FindCoordinatorResponse read(final MessageReader reader)
    {
        return new FindCoordinatorResponse(reader.readShort(), reader.readString(), reader.readInt(),
            reader.readString(), reader.readInt());
    }
}

package io.sluice.common.protocol.message;

import io.sluice.common.protocol.MessageReader;
import io.sluice.common.protocol.MessageWriter;

/** A producer id and epoch, unique in the cluster. */
public record InitProducerIdResponse(short errorCode, long producerId, short producerEpoch) implements Message
{
    @Override
    public void write(final MessageWriter writer)
    {
        writer.writeShort(errorCode).writeLong(producerId).writeShort(producerEpoch);
    }

    public static InitProducerIdResponse read(final MessageReader reader)
    {
        return new InitProducerIdResponse(reader.readShort(), reader.readLong(), reader.readShort());
    }
}

package io.sluice.common.protocol.message;

import io.sluice.common.protocol.MessageReader;
import io.sluice.common.protocol.MessageWriter;

/** Asks for a producer id and epoch for idempotent producing. */
public record InitProducerIdRequest(String transactionalId, int transactionTimeoutMs, long producerId,
    short producerEpoch) implements Message
{
    @Override
    public void write(final MessageWriter writer)
    {
        writer.writeString(transactionalId).writeInt(transactionTimeoutMs).writeLong(producerId)
            .writeShort(producerEpoch);
    }

    public static InitProducerIdRequest read(final MessageReader reader)
    {
        return new InitProducerIdRequest(reader.readString(), reader.readInt(), reader.readLong(),
            reader.readShort());
    }
}

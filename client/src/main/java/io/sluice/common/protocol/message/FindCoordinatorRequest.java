package io.sluice.common.protocol.message;

import io.sluice.common.protocol.MessageReader;
import io.sluice.common.protocol.MessageWriter;

/** Asks which broker coordinates a group ({@code keyType} 0, Kafka's number for groups). */
public record FindCoordinatorRequest(byte keyType, String key) implements Message
{
    public static final byte GROUP = 0;

    @Override
    public void write(final MessageWriter writer)
    {
        writer.writeByte(keyType).writeString(key);
    }

    public static FindCoordinatorRequest read(final MessageReader reader)
    {
        return new FindCoordinatorRequest(reader.readByte(), reader.readRequiredString("coordinator key"));
    }
}

package io.sluice.client.serialization;

/** Bytes as they are. */
public final class ByteArraySerializer implements Serializer<byte[]>
{
    @Override
    public byte[] serialize(final String topic, final byte[] data)
    {
        return data;
    }
}

package io.sluice.client.serialization;

/** Bytes as they are. */
public final class ByteArrayDeserializer implements Deserializer<byte[]>
{
    @Override
    public byte[] deserialize(final String topic, final byte[] data)
    {
        return data;
    }
}

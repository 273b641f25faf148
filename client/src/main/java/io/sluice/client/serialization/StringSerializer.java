package io.sluice.client.serialization;

import java.nio.charset.StandardCharsets;

/** UTF-8 strings. */
public final class StringSerializer implements Serializer<String>
{
    @Override
    public byte[] serialize(final String topic, final String data)
    {
        return data == null ? null : data.getBytes(StandardCharsets.UTF_8);
    }
}

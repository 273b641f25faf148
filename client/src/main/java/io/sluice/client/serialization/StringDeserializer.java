package io.sluice.client.serialization;

import java.nio.charset.StandardCharsets;

/** UTF-8 strings. */
public final class StringDeserializer implements Deserializer<String>
{
    @Override
    public String deserialize(final String topic, final byte[] data)
    {
        return data == null ? null : new String(data, StandardCharsets.UTF_8);
    }
}

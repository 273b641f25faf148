package io.sluice.common.protocol.message;

import io.sluice.common.protocol.MessageReader;
import io.sluice.common.protocol.MessageWriter;

/** Asks which APIs and versions the broker speaks. Empty body. */
public record ApiVersionsRequest() implements Message
{
    @Override
    public void write(final MessageWriter writer)
    {
    }

    public static ApiVersionsRequest read(final MessageReader reader)
    {
        return new ApiVersionsRequest();
    }
}

package io.sluice.common.protocol.message;

import io.sluice.common.protocol.MessageWriter;

/**
 * The body the broker sends when it cannot serve a request at all (unsupported version, malformed body): just the
 * top-level error code that every response body starts with, so a client of any API can read it.
 */
public record ErrorOnlyResponse(short errorCode) implements Message
{
    @Override
    public void write(final MessageWriter writer)
    {
        writer.writeShort(errorCode);
    }
}

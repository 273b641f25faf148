package io.sluice.client.network;

import io.sluice.common.protocol.MessageReader;

/** Decodes a response body. */
@FunctionalInterface
public interface ResponseParser<T>
{
    T parse(MessageReader reader);
}

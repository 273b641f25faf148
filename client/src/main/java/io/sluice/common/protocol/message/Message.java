package io.sluice.common.protocol.message;

import io.sluice.common.protocol.MessageWriter;

/** A request or response body that can encode itself (version 0 of every API for now). */
public interface Message
{
    void write(MessageWriter writer);
}

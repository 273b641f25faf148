package io.sluice.broker.network;

import io.sluice.common.protocol.MessageReader;

/** Serves one API: reads the body and answers through the context, now or later. */
@FunctionalInterface
public interface RequestHandler
{
    void handle(RequestContext context, MessageReader body);
}

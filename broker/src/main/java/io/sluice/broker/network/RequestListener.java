package io.sluice.broker.network;

import io.sluice.common.protocol.RequestHeader;

/** Told when a response is written, to time requests per API. */
@FunctionalInterface
public interface RequestListener
{
    void onResponse(RequestHeader header, long latencyNanos);
}

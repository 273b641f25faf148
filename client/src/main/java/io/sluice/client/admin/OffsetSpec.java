package io.sluice.client.admin;

import io.sluice.common.protocol.message.ListOffsetsRequest;

/** Which offset to look up: the earliest, the latest, or the first at or after a timestamp. */
public record OffsetSpec(long timestamp)
{
    public static OffsetSpec earliest()
    {
        return new OffsetSpec(ListOffsetsRequest.EARLIEST_TIMESTAMP);
    }

    public static OffsetSpec latest()
    {
        return new OffsetSpec(ListOffsetsRequest.LATEST_TIMESTAMP);
    }

    public static OffsetSpec forTimestamp(final long timestamp)
    {
        if (timestamp < 0)
        {
            throw new IllegalArgumentException("Timestamp must not be negative: " + timestamp);
        }
        return new OffsetSpec(timestamp);
    }
}

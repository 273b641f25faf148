package io.sluice.client.admin;

/** An offset found by {@link Admin#listOffsets}; -1 when no record is at or after the timestamp asked for. */
public record ListOffsetsResult(long offset, long timestamp, int leaderEpoch)
{
}

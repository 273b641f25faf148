package io.sluice.client.internals;

/** An offset found by timestamp (or earliest/latest), the record's timestamp (-1 if none) and the leader epoch. */
public record OffsetAndTimestamp(long offset, long timestamp, int leaderEpoch)
{
}

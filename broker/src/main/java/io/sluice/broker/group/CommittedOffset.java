package io.sluice.broker.group;

/** An offset a group committed for one partition, with the client's metadata string and the commit time. */
public record CommittedOffset(long offset, int leaderEpoch, String metadata, long commitTimestamp)
{
}

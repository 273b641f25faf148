package io.sluice.broker.replication;

import io.sluice.storage.epoch.EpochEntry;
import io.sluice.storage.epoch.LeaderEpochFileCache;

/**
 * Where a follower's log stops agreeing with its leader's, from the leader's answer to "where does epoch E end?"
 * (Kafka's KIP-279 rule). The leader names the largest epoch it has at or below E and where that epoch ends in its
 * log. If this log has that epoch too, the two agree up to the smaller of the two ends; if not, the follower asks
 * again about the largest epoch it has below the leader's.
 */
record Divergence(long truncateTo, int askAgain)
{
    static final int NONE = Integer.MIN_VALUE;

    static Divergence resolve(final int leaderEpoch, final long leaderEndOffset, final LeaderEpochFileCache own,
        final long logStartOffset, final long logEndOffset)
    {
        if (leaderEpoch < 0)
        {
            // The leader has no epoch this old: nothing here is known to agree with it.
            return new Divergence(logStartOffset, NONE);
        }
        final EpochEntry mine = own.endOffsetFor(leaderEpoch, logEndOffset);
        if (mine.epoch < 0)
        {
            return new Divergence(logStartOffset, NONE);
        }
        if (mine.epoch != leaderEpoch)
        {
            return new Divergence(-1, mine.epoch);
        }
        return new Divergence(Math.min(leaderEndOffset, mine.startOffset), NONE);
    }

    boolean done()
    {
        return askAgain == NONE;
    }
}

package io.sluice.broker.replication;

import io.sluice.storage.epoch.LeaderEpochFileCache;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DivergenceTest
{
    @TempDir
    Path tmp;

    private LeaderEpochFileCache epochs(final long... epochStarts)
    {
        final LeaderEpochFileCache cache = new LeaderEpochFileCache(tmp.resolve("leader-epoch-checkpoint"));
        for (int i = 0; i < epochStarts.length; i += 2)
        {
            cache.assign((int)epochStarts[i], epochStarts[i + 1]);
        }
        return cache;
    }

    @Test
    void aStaleLeaderCutsBackToWhereTheNewLeaderStartedItsEpoch()
    {
        // Old leader wrote epoch 3 up to 120; the new leader had only 100 of it when it took epoch 4.
        final Divergence d = Divergence.resolve(3, 100, epochs(0, 0, 3, 40), 0, 120);
        assertTrue(d.done());
        assertEquals(100, d.truncateTo());
    }

    @Test
    void aFollowerBehindTheLeaderKeepsItsWholeLog()
    {
        final Divergence d = Divergence.resolve(3, 150, epochs(0, 0, 3, 40), 0, 120);
        assertEquals(120, d.truncateTo());
    }

    @Test
    void anEpochTheFollowerNeverSawMeansAskingAgainAboutAnOlderOne()
    {
        // Follower: epoch 0 from 0, epoch 2 from 50. Leader: epoch 0 from 0, 1 from 40, 3 from 60. Asked about 2,
        // the leader answers epoch 1 ending at 60; the follower lacks epoch 1, so it asks about epoch 0 ...
        final LeaderEpochFileCache follower = epochs(0, 0, 2, 50);
        final Divergence first = Divergence.resolve(1, 60, follower, 0, 70);
        assertFalse(first.done());
        assertEquals(0, first.askAgain());
        // ... which ends at 40 on the leader: records 40-69 written in epochs 0 and 2 here go.
        final Divergence second = Divergence.resolve(0, 40, follower, 0, 70);
        assertEquals(40, second.truncateTo());
    }

    @Test
    void aLeaderWithNoEpochThatOldKeepsNothingOfTheFollowersLog()
    {
        assertEquals(30, Divergence.resolve(-1, -1, epochs(1, 30), 30, 90).truncateTo());
    }
}

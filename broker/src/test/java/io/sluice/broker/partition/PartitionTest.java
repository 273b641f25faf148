package io.sluice.broker.partition;

import io.sluice.common.TopicPartition;
import io.sluice.common.errors.ApiException;
import io.sluice.common.protocol.Errors;
import io.sluice.common.record.CompressionType;
import io.sluice.common.record.Header;
import io.sluice.common.record.RecordBatch;
import io.sluice.common.record.RecordBatchBuilder;
import io.sluice.common.utils.Time;
import io.sluice.storage.epoch.EpochEntry;
import io.sluice.storage.log.Log;
import io.sluice.storage.log.LogAppendInfo;
import io.sluice.storage.log.LogConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A replica fetcher's answer can arrive after the metadata has moved the partition on; it must then leave the log
 * alone. (FaultToleranceTest once failed this way: a broker made leader at epoch 12 appended a late epoch-11 fetch
 * answer after the point where its epoch 12 began, and its followers looped truncating those records away.)
 */
class PartitionTest
{
    private static final int SELF = 2;
    private static final List<Integer> ISR = List.of(0, 1, 2);

    @TempDir
    Path dir;

    private Log log;
    private Partition partition;
    private final LogAppendInfo info = new LogAppendInfo();

    @BeforeEach
    void open()
    {
        log = Log.open(dir, new TopicPartition("t", 0), LogConfig.defaults(), true, 0, 0, Time.SYSTEM, null, null);
        partition = new Partition(SELF, log.topicPartition(), log, 11, ISR, 60_000, () -> true);
    }

    @AfterEach
    void close()
    {
        log.close();
    }

    @Test
    void aLateFetchAnswerIsNotAppendedOnceThisReplicaLeads()
    {
        partition.updateLeadership(0, 11, ISR);
        assertTrue(partition.appendAsFollower(0, 11, batch(0, 3, 11), 0, info));
        partition.updateLeadership(SELF, 12, ISR);

        assertFalse(partition.appendAsFollower(0, 11, batch(3, 3, 11), 3, info));

        assertEquals(3, log.logEndOffset());
        assertEquals(List.of(new EpochEntry(11, 0), new EpochEntry(12, 3)), log.leaderEpochCache().entries());
    }

    @Test
    void aLateDivergenceAnswerDoesNotTruncateWhatThisReplicaLeads()
    {
        partition.updateLeadership(0, 11, ISR);
        assertTrue(partition.appendAsFollower(0, 11, batch(0, 5, 11), 0, info));
        partition.updateLeadership(SELF, 12, ISR);

        assertFalse(partition.truncateTo(0, 11, 2));
        assertFalse(partition.truncateFullyAndStartAt(0, 11, 100));

        assertEquals(0, log.logStartOffset());
        assertEquals(5, log.logEndOffset());
    }

    @Test
    void anAnswerFromThePreviousLeaderIsDroppedAndTheNewLeadersIsAppended()
    {
        partition.updateLeadership(0, 11, ISR);
        assertTrue(partition.appendAsFollower(0, 11, batch(0, 2, 11), 0, info));
        partition.updateLeadership(1, 12, ISR);

        assertFalse(partition.appendAsFollower(0, 11, batch(2, 2, 11), 2, info));
        assertFalse(partition.truncateTo(0, 11, 0));
        assertEquals(2, log.logEndOffset());

        assertTrue(partition.appendAsFollower(1, 12, batch(2, 2, 12), 4, info));
        assertEquals(4, log.logEndOffset());
        assertEquals(4, partition.highWatermark());
        assertTrue(partition.truncateTo(1, 12, 2));
        assertEquals(2, log.logEndOffset());
    }

    /**
     * FaultToleranceTest found this: a broker made leader at epoch 12 that appended nothing before broker 1 took
     * over at epoch 13 kept epoch 12 in its cache. Broker 1 never had epoch 12, so it called every fetch naming it
     * diverged, truncating to the log end changed nothing, and the follower asked again forever.
     */
    @Test
    void truncatingToTheLogEndDropsAnEpochLedWithoutRecords()
    {
        partition.updateLeadership(0, 11, ISR);
        assertTrue(partition.appendAsFollower(0, 11, batch(0, 3, 11), 3, info));
        partition.updateLeadership(SELF, 12, ISR);
        partition.updateLeadership(1, 13, ISR);
        assertEquals(12, log.leaderEpochCache().latestEpoch());

        // The new leader says its epoch 11 ends at 3, this log's end.
        assertTrue(partition.truncateTo(1, 13, 3));

        assertEquals(3, log.logEndOffset());
        assertEquals(List.of(new EpochEntry(11, 0)), log.leaderEpochCache().entries());
    }

    @Test
    void aNewLeaderReportsNoEndToClientsUntilItsHighWatermarkReachesItsEpochStart()
    {
        partition.updateLeadership(0, 11, ISR);
        assertTrue(partition.appendAsFollower(0, 11, batch(0, 5, 11), 3, info));
        assertEquals(3, partition.endForClients());
        partition.updateLeadership(SELF, 12, ISR);

        // Records 3 and 4 may have been acknowledged by the old leader: an end of 3 would send a consumer back.
        final ApiException e = assertThrows(ApiException.class, partition::endForClients);
        assertEquals(Errors.OFFSET_NOT_AVAILABLE.code(), e.code());
        assertTrue(e.isRetriable());

        partition.updateFollowerEnd(0, 5);
        partition.updateFollowerEnd(1, 5);
        assertEquals(5, partition.endForClients());
    }

    /** A batch of {@code count} records at {@code baseOffset} written by the leader of {@code epoch}. */
    private static ByteBuffer batch(final long baseOffset, final int count, final int epoch)
    {
        final RecordBatchBuilder builder = new RecordBatchBuilder(256).reset(CompressionType.NONE)
            .baseOffset(baseOffset);
        for (int i = 0; i < count; i++)
        {
            builder.append(1_000L + i, null, ("r" + (baseOffset + i)).getBytes(StandardCharsets.UTF_8), new Header[0]);
        }
        final ByteBuffer built = builder.build();
        final ByteBuffer copy = ByteBuffer.allocate(built.remaining()).put(built).flip();
        RecordBatch.setPartitionLeaderEpoch(copy, 0, epoch);
        return copy;
    }
}

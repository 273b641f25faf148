package io.sluice.broker.partition;

import io.sluice.broker.producer.ProducerStateManager;
import io.sluice.common.TopicPartition;
import io.sluice.common.errors.ApiException;
import io.sluice.common.protocol.Errors;
import io.sluice.storage.log.Log;
import io.sluice.storage.log.LogAppendInfo;
import io.sluice.storage.log.LogReadInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A partition this broker hosts: its log, leader epoch, in-sync replicas, high watermark and idempotent-producer
 * state. Appends are serialized by the partition's lock so that the producer check, the append and the state update
 * are one step; reads take no lock.
 */
public final class Partition
{
    private static final Logger LOG = LoggerFactory.getLogger(Partition.class);

    private final int selfId;
    /** Whether this broker's session with the controller is alive; a leader without one may have been replaced. */
    private final java.util.function.BooleanSupplier holdsSession;
    private final TopicPartition topicPartition;
    private final Log log;
    private final ProducerStateManager producerState;
    private final Log.AppendGuard producerGuard;
    private final Object lock = new Object();
    private volatile int leaderEpoch;
    private volatile List<Integer> isr;
    private volatile long highWatermark;
    private volatile int leaderId = -1;
    private volatile int minInsyncReplicas = 1;
    /** Where this broker's current epoch as leader began; -1 while it follows. */
    private volatile long leaderEpochStartOffset = -1;
    /** As leader: each follower's log end offset, from the offsets its fetches ask for. */
    private final Map<Integer, Long> followerEnds = new ConcurrentHashMap<>();
    /** As leader: when each follower last fetched from this log's end (it had everything then). */
    private final Map<Integer, Long> caughtUpNanos = new ConcurrentHashMap<>();
    /** An ISR change proposed and not yet seen in the metadata: no second one meanwhile. */
    private final java.util.concurrent.atomic.AtomicBoolean isrChangePending =
        new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * @param selfId       this broker's id.
     * @param holdsSession whether this broker's session with the controller is alive (checked on each append).
     */
    public Partition(final int selfId, final TopicPartition topicPartition, final Log log, final int leaderEpoch,
        final List<Integer> isr, final long producerIdExpirationMs, final java.util.function.BooleanSupplier
        holdsSession)
    {
        this.selfId = selfId;
        this.holdsSession = holdsSession;
        this.topicPartition = topicPartition;
        this.log = log;
        this.leaderEpoch = leaderEpoch;
        this.isr = isr;
        this.producerState = new ProducerStateManager(log.dir(), producerIdExpirationMs);
        producerState.load(log);
        this.producerGuard = producerState::admit;
        // A single in-sync replica (this one) has everything it wrote; with others, the leader learns their ends
        // from their fetches and a follower from the leader.
        this.highWatermark = isr.size() <= 1 ? log.logEndOffset() : 0;
    }

    public TopicPartition topicPartition()
    {
        return topicPartition;
    }

    public Log log()
    {
        return log;
    }

    public int leaderEpoch()
    {
        return leaderEpoch;
    }

    public List<Integer> isr()
    {
        return isr;
    }

    public long highWatermark()
    {
        return highWatermark;
    }

    /**
     * Applies the metadata's leader, epoch and ISR. Returns true if the high watermark moved (a smaller ISR can
     * let it advance).
     */
    public boolean updateLeadership(final int leader, final int epoch, final List<Integer> inSyncReplicas)
    {
        synchronized (lock)
        {
            if (leader != leaderId || epoch != leaderEpoch)
            {
                leaderEpochStartOffset = leader == selfId ? log.logEndOffset() : -1;
                followerEnds.clear();
                final long now = System.nanoTime();
                caughtUpNanos.clear();
                // A new leader gives every in-sync follower a full lag allowance before it may drop it.
                inSyncReplicas.forEach(r -> caughtUpNanos.put(r, now));
            }
            if (!inSyncReplicas.equals(isr))
            {
                isrChangePending.set(false);
            }
            // A new leader's epoch starts at its log end (the records of the old epoch end there), so a follower
            // asking where that epoch ends gets an answer even before this leader appends.
            if (leader == selfId && epoch > log.leaderEpochCache().latestEpoch())
            {
                log.leaderEpochCache().assign(epoch, log.logEndOffset());
                LOG.info("Leading {} at epoch {} from offset {}", topicPartition, epoch, log.logEndOffset());
            }
            this.leaderId = leader;
            this.leaderEpoch = epoch;
            this.isr = inSyncReplicas;
            return maybeIncrementHighWatermark();
        }
    }

    /** The topic's min.insync.replicas (or the broker's), from the metadata. */
    public void minInsyncReplicas(final int value)
    {
        this.minInsyncReplicas = value;
    }

    public int minInsyncReplicas()
    {
        return minInsyncReplicas;
    }

    /** The current leader's broker id, or -1 if unknown. */
    public int leaderId()
    {
        return leaderId;
    }

    /**
     * As leader, records that follower {@code replicaId} has everything below {@code fetchOffset} (a follower
     * fetches from its log end). Returns true if the high watermark moved.
     */
    public boolean updateFollowerEnd(final int replicaId, final long fetchOffset)
    {
        synchronized (lock)
        {
            followerEnds.put(replicaId, fetchOffset);
            if (fetchOffset >= log.logEndOffset())
            {
                caughtUpNanos.put(replicaId, System.nanoTime());
            }
            return maybeIncrementHighWatermark();
        }
    }

    /**
     * As leader: the ISR with {@code replicaId} added if it is a replica outside the ISR that has caught up to the
     * high watermark, and no other change is pending; else null. The caller proposes it.
     */
    public List<Integer> isrWithCaughtUpFollower(final int replicaId, final List<Integer> replicas)
    {
        if (isr.contains(replicaId) || !replicas.contains(replicaId) || followerEnds.getOrDefault(replicaId, -1L)
            < highWatermark || !isrChangePending.compareAndSet(false, true))
        {
            return null;
        }
        final List<Integer> expanded = new java.util.ArrayList<>(isr);
        expanded.add(replicaId);
        return expanded;
    }

    /**
     * As leader {@code self}: the ISR without followers that have not caught up for {@code maxLagNanos}, if any
     * and no other change is pending; else null.
     */
    public List<Integer> isrWithoutLaggingFollowers(final int self, final long maxLagNanos)
    {
        final long now = System.nanoTime();
        final List<Integer> kept = new java.util.ArrayList<>(isr);
        kept.removeIf(r -> r != self && now - caughtUpNanos.getOrDefault(r, now) > maxLagNanos);
        if (kept.size() == isr.size() || !isrChangePending.compareAndSet(false, true))
        {
            return null;
        }
        return kept;
    }

    /** The proposed ISR change was answered: another may be tried. */
    public void isrChangeDone()
    {
        isrChangePending.set(false);
    }

    /**
     * As follower of {@code leader} at {@code epoch}, appends batches fetched from it, keeping their offsets, and
     * takes its high watermark. Returns false, changing nothing, if the metadata has moved on since the fetch was
     * sent (see {@link #followsAt}).
     */
    public boolean appendAsFollower(final int leader, final int epoch, final ByteBuffer records,
        final long leaderHighWatermark, final LogAppendInfo info)
    {
        synchronized (lock)
        {
            if (!followsAt(leader, epoch))
            {
                return false;
            }
            if (records.hasRemaining())
            {
                log.appendAsFollower(records, info);
                producerState.update(records);
            }
            final long hw = Math.min(leaderHighWatermark, log.logEndOffset());
            if (hw > highWatermark)
            {
                highWatermark = hw;
            }
            return true;
        }
    }

    /**
     * As follower of {@code leader} at {@code epoch}: drops what this replica holds from {@code offset} on, where
     * its log diverges from the leader's. Returns false, changing nothing, if the metadata has moved on.
     */
    public boolean truncateTo(final int leader, final int epoch, final long offset)
    {
        synchronized (lock)
        {
            if (!followsAt(leader, epoch))
            {
                return false;
            }
            if (log.truncateTo(offset))
            {
                producerState.load(log);
            }
            highWatermark = Math.min(highWatermark, log.logEndOffset());
            return true;
        }
    }

    /**
     * As follower of {@code leader} at {@code epoch} whose whole log the leader's retention has passed: starts
     * empty at the leader's log start. Returns false, changing nothing, if the metadata has moved on.
     */
    public boolean truncateFullyAndStartAt(final int leader, final int epoch, final long offset)
    {
        synchronized (lock)
        {
            if (!followsAt(leader, epoch))
            {
                return false;
            }
            log.truncateFullyAndStartAt(offset);
            producerState.load(log);
            highWatermark = Math.min(highWatermark, log.logEndOffset());
            return true;
        }
    }

    /**
     * Whether this replica still follows {@code leader} at {@code epoch}; called under the lock. A fetch answered
     * after the metadata moved on must not touch the log: had this broker become leader meanwhile, records of the
     * old epoch would land after the point where its own epoch begins (and followers would loop truncating them
     * away), or a truncation would remove records it has acknowledged as leader.
     */
    private boolean followsAt(final int leader, final int epoch)
    {
        return leader != selfId && leaderId == leader && leaderEpoch == epoch;
    }

    /** Reads for a follower: whole batches up to the log end, not only below the high watermark. */
    public LogReadInfo readForFollower(final long offset, final int maxBytes)
    {
        return log.read(offset, maxBytes, Long.MAX_VALUE, true);
    }

    /**
     * As leader: whether a follower whose last batch has {@code lastFetchedEpoch} and whose log ends at
     * {@code fetchOffset} holds records this log does not (the epoch ends earlier here, or is unknown). -1: no
     * epoch to check.
     */
    public boolean followerDiverged(final int lastFetchedEpoch, final long fetchOffset)
    {
        if (lastFetchedEpoch < 0)
        {
            return false;
        }
        final io.sluice.storage.epoch.EpochEntry end = log.endOffsetForEpoch(lastFetchedEpoch);
        return end.epoch != lastFetchedEpoch || end.startOffset < fetchOffset;
    }

    /**
     * The high watermark as the end a client may be told of. A new leader learns how far its followers got only when
     * they fetch from it, so until its high watermark reaches the start of its epoch the end it knows is behind
     * records the previous leader acknowledged; a consumer reset to it would go back in time.
     *
     * @throws ApiException OFFSET_NOT_AVAILABLE (retriable) until then.
     */
    public long endForClients()
    {
        final long hw = highWatermark;
        final long epochStart = leaderEpochStartOffset;
        if (hw < epochStart)
        {
            throw new ApiException(Errors.OFFSET_NOT_AVAILABLE.code(), true, "The high watermark " + hw + " of "
                + topicPartition + " has not reached the start of leader epoch " + leaderEpoch + " (" + epochStart
                + ") yet");
        }
        return hw;
    }

    /** Checks a client's view of the leader epoch; -1 means the client does not know it. */
    public void checkLeaderEpoch(final int clientEpoch)
    {
        if (clientEpoch < 0)
        {
            return;
        }
        if (clientEpoch < leaderEpoch)
        {
            throw new ApiException(Errors.FENCED_LEADER_EPOCH.code(), true, "Leader epoch " + clientEpoch + " of "
                + topicPartition + " is older than the current epoch " + leaderEpoch);
        }
        if (clientEpoch > leaderEpoch)
        {
            throw new ApiException(Errors.UNKNOWN_LEADER_EPOCH.code(), true, "Leader epoch " + clientEpoch + " of "
                + topicPartition + " is newer than this broker knows (" + leaderEpoch + ")");
        }
    }

    /**
     * Appends a produce request's batches as leader. Returns true if the high watermark moved, so parked fetches
     * and produces can be checked.
     *
     * @throws ApiException NOT_ENOUGH_REPLICAS when acks=all and the ISR is below {@code minInsyncReplicas}.
     */
    public boolean appendAsLeader(final ByteBuffer records, final short requiredAcks, final int minInsyncReplicas,
        final LogAppendInfo info)
    {
        synchronized (lock)
        {
            if (!holdsSession.getAsBoolean())
            {
                throw new ApiException(Errors.NOT_LEADER_OR_FOLLOWER.code(), true, "Broker " + selfId + " has not "
                    + "heard from the metadata quorum within broker.session.timeout.ms and may have been replaced as "
                    + "leader of " + topicPartition);
            }
            if (requiredAcks == -1 && isr.size() < minInsyncReplicas)
            {
                throw new ApiException(Errors.NOT_ENOUGH_REPLICAS.code(), true, "Partition " + topicPartition
                    + " has " + isr.size() + " in-sync replica(s); min.insync.replicas is " + minInsyncReplicas);
            }
            if (log.appendAsLeader(records, leaderEpoch, info, producerGuard))
            {
                producerState.update(records);
            }
            return maybeIncrementHighWatermark();
        }
    }

    /** High watermark = the smallest log end offset among the in-sync replicas (this leader included). */
    private boolean maybeIncrementHighWatermark()
    {
        long hw = log.logEndOffset();
        for (final int replica : isr)
        {
            if (replica == leaderId || leaderId < 0)
            {
                continue;
            }
            final Long end = followerEnds.get(replica);
            hw = Math.min(hw, end == null ? highWatermark : end);
        }
        if (hw > highWatermark)
        {
            highWatermark = hw;
            return true;
        }
        return false;
    }

    /** Reads for a consumer: whole batches below the high watermark. */
    public LogReadInfo readForConsumer(final long offset, final int maxBytes, final boolean minOneBatch)
    {
        return log.read(offset, maxBytes, highWatermark, minOneBatch);
    }

    /** Persists the producer state, for a clean shutdown. */
    public void writeProducerSnapshot()
    {
        synchronized (lock)
        {
            producerState.writeSnapshot(log.logEndOffset());
        }
    }

    public void expireProducers(final long nowMs)
    {
        synchronized (lock)
        {
            producerState.expire(nowMs);
        }
    }
}

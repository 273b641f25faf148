package io.sluice.broker.replication;

import io.sluice.broker.partition.Partition;
import io.sluice.client.network.NetworkClient;
import io.sluice.common.TopicPartition;
import io.sluice.common.errors.SluiceException;
import io.sluice.common.protocol.ApiKeys;
import io.sluice.common.protocol.Errors;
import io.sluice.common.protocol.MemoryRecordSet;
import io.sluice.common.protocol.message.FetchRequest;
import io.sluice.common.protocol.message.FetchResponse;
import io.sluice.common.protocol.message.OffsetsForLeaderEpochRequest;
import io.sluice.common.protocol.message.OffsetsForLeaderEpochResponse;
import io.sluice.storage.log.LogAppendInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Copies the partitions this broker follows from one leader: one long-polling fetch at a time, from each
 * partition's log end offset, appended with the leader's offsets; the leader learns this broker's log end from the
 * next fetch. Runs on its own client event loop.
 */
final class ReplicaFetcher implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaFetcher.class);
    private static final int MAX_WAIT_MS = 500;
    private static final int MAX_BYTES = 10 * 1024 * 1024;
    private static final int PARTITION_MAX_BYTES = 1024 * 1024;
    private static final long BACKOFF_MS = 100;
    private static final int NOT_ASKED = Integer.MIN_VALUE;

    private final int nodeId;
    private final int leaderId;
    private final String host;
    private final int port;
    private final NetworkClient network;
    private final Map<TopicPartition, FollowState> partitions = new ConcurrentHashMap<>();
    private final Consumer<TopicPartition> highWatermarkListener;
    private final LogAppendInfo info = new LogAppendInfo();
    private volatile boolean running = true;
    private boolean inFlight;

    ReplicaFetcher(final int nodeId, final int leaderId, final String host, final int port,
        final Consumer<TopicPartition> highWatermarkListener)
    {
        this.nodeId = nodeId;
        this.leaderId = leaderId;
        this.host = host;
        this.port = port;
        this.highWatermarkListener = highWatermarkListener;
        this.network = new NetworkClient("replica-fetcher-" + nodeId + "-from-" + leaderId, 30_000);
    }

    String endpoint()
    {
        return host + ":" + port;
    }

    /**
     * Starts (or restarts, after a new leader epoch) copying {@code partition}: first its log is cut back to where it
     * agrees with the leader's, then fetching begins.
     */
    void add(final Partition partition)
    {
        final FollowState current = partitions.get(partition.topicPartition());
        if (current != null && current.epoch == partition.leaderEpoch())
        {
            return;
        }
        partitions.put(partition.topicPartition(), new FollowState(partition, partition.leaderEpoch()));
        network.eventLoop().execute(this::fetch);
    }

    void remove(final TopicPartition tp)
    {
        partitions.remove(tp);
    }

    boolean isEmpty()
    {
        return partitions.isEmpty();
    }

    /** One followed partition at one leader epoch; replaced, not changed, when the epoch moves. */
    private static final class FollowState
    {
        final Partition partition;
        final int epoch;
        /** The log was cut back to where it agrees with the leader's: fetching may begin. */
        volatile boolean truncated;
        /** The epoch to ask the leader about next; {@link #NOT_ASKED} starts from this log's latest. */
        int askedEpoch = NOT_ASKED;

        FollowState(final Partition partition, final int epoch)
        {
            this.partition = partition;
            this.epoch = epoch;
        }
    }

    private void fetch()
    {
        if (!running || inFlight || partitions.isEmpty())
        {
            return;
        }
        final Map<String, List<OffsetsForLeaderEpochRequest.PartitionData>> toTruncate = new LinkedHashMap<>();
        final Map<TopicPartition, FollowState> asked = new HashMap<>();
        final Map<String, List<FetchRequest.PartitionData>> byTopic = new LinkedHashMap<>();
        final Map<TopicPartition, FollowState> fetched = new HashMap<>();
        for (final FollowState state : partitions.values())
        {
            final Partition p = state.partition;
            final TopicPartition tp = p.topicPartition();
            if (!state.truncated && p.log().logEndOffset() == p.log().logStartOffset())
            {
                // An empty log has nothing that could disagree with the leader's.
                state.truncated = true;
            }
            if (state.truncated)
            {
                byTopic.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).add(new FetchRequest.PartitionData(
                    tp.partition(), state.epoch, p.log().logEndOffset(), p.log().leaderEpochCache().latestEpoch(),
                    p.log().logStartOffset(), PARTITION_MAX_BYTES));
                fetched.put(tp, state);
            }
            else
            {
                if (state.askedEpoch == NOT_ASKED)
                {
                    state.askedEpoch = p.log().leaderEpochCache().latestEpoch();
                }
                toTruncate.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).add(
                    new OffsetsForLeaderEpochRequest.PartitionData(tp.partition(), state.epoch, state.askedEpoch));
                asked.put(tp, state);
            }
        }
        inFlight = true;
        if (!asked.isEmpty())
        {
            final List<OffsetsForLeaderEpochRequest.TopicData> topics = new ArrayList<>();
            toTruncate.forEach((t, ps) -> topics.add(new OffsetsForLeaderEpochRequest.TopicData(t, ps)));
            network.send(host, port, ApiKeys.OFFSETS_FOR_LEADER_EPOCH, new OffsetsForLeaderEpochRequest(nodeId,
                topics), OffsetsForLeaderEpochResponse::read).whenComplete((response, failure) ->
                network.eventLoop().execute(() -> completed(failure, () -> truncate(response, asked))));
            return;
        }
        final List<FetchRequest.TopicData> topics = new ArrayList<>();
        byTopic.forEach((t, ps) -> topics.add(new FetchRequest.TopicData(t, ps)));
        network.send(host, port, ApiKeys.FETCH, new FetchRequest(nodeId, MAX_WAIT_MS, 1, MAX_BYTES, (byte)0, topics),
            FetchResponse::read).whenComplete((response, failure) -> network.eventLoop().execute(() ->
                completed(failure, () -> apply(response, fetched))));
    }

    /** Handles a response (or its failure) on the event loop, then sends the next request. */
    private void completed(final Throwable failure, final java.util.function.BooleanSupplier handler)
    {
        inFlight = false;
        long delay = 0;
        if (failure != null)
        {
            LOG.debug("Request to leader {} failed: {}", leaderId, failure.getMessage());
            delay = BACKOFF_MS;
        }
        else if (!handler.getAsBoolean())
        {
            delay = BACKOFF_MS;
        }
        if (running)
        {
            network.eventLoop().schedule(this::fetch, delay, TimeUnit.MILLISECONDS);
        }
    }

    /** Cuts each log back to where it agrees with the leader's, or asks again about an older epoch. */
    private boolean truncate(final OffsetsForLeaderEpochResponse response, final Map<TopicPartition, FollowState> asked)
    {
        boolean ok = true;
        for (final OffsetsForLeaderEpochResponse.TopicData topic : response.topics())
        {
            for (final OffsetsForLeaderEpochResponse.PartitionData p : topic.partitions())
            {
                final TopicPartition tp = new TopicPartition(topic.name(), p.partition());
                final FollowState state = asked.get(tp);
                if (state == null || partitions.get(tp) != state)
                {
                    continue;
                }
                final Errors error = Errors.forCode(p.errorCode());
                if (error != Errors.NONE)
                {
                    ok = false;
                    LOG.debug("Leader {} answered {} for the epochs of {}", leaderId, error, tp);
                    continue;
                }
                final Partition partition = state.partition;
                final Divergence divergence = Divergence.resolve(p.leaderEpoch(), p.endOffset(),
                    partition.log().leaderEpochCache(), partition.log().logStartOffset(),
                    partition.log().logEndOffset());
                if (!divergence.done())
                {
                    state.askedEpoch = divergence.askAgain();
                    continue;
                }
                final long offset = divergence.truncateTo();
                final long before = partition.log().logEndOffset();
                if (!partition.truncateTo(leaderId, state.epoch, offset))
                {
                    stale(tp, state);
                    continue;
                }
                if (offset < before)
                {
                    LOG.info("Truncated {} from {} to {}: leader {} ends epoch {} there", tp, before, offset,
                        leaderId, p.leaderEpoch());
                }
                state.truncated = true;
            }
        }
        return ok;
    }

    /**
     * The leader no longer holds this log's end: retention removed it (start over at the leader's log start), or
     * this log is past the leader's end (cut it back by epochs again).
     */
    private void outOfRange(final FollowState state, final long leaderLogStart)
    {
        final Partition partition = state.partition;
        if (leaderLogStart > partition.log().logEndOffset())
        {
            LOG.warn("Leader {} starts {} at {}, past this replica's end {}: starting over there", leaderId,
                partition.topicPartition(), leaderLogStart, partition.log().logEndOffset());
            if (!partition.truncateFullyAndStartAt(leaderId, state.epoch, leaderLogStart))
            {
                stale(partition.topicPartition(), state);
            }
        }
        else
        {
            // Logged because it should be rare: a follower that kept hearing this would never catch up.
            LOG.info("Leader {} finds {} diverged at offset {} (epoch {}): asking where their epochs agree", leaderId,
                partition.topicPartition(), partition.log().logEndOffset(),
                partition.log().leaderEpochCache().latestEpoch());
            state.truncated = false;
            state.askedEpoch = NOT_ASKED;
        }
    }

    /** Appends what arrived; returns false if some partition answered an error (the caller backs off). */
    private boolean apply(final FetchResponse response, final Map<TopicPartition, FollowState> fetched)
    {
        boolean ok = true;
        for (final FetchResponse.TopicData topic : response.topics())
        {
            for (final FetchResponse.PartitionData p : topic.partitions())
            {
                final TopicPartition tp = new TopicPartition(topic.name(), p.partition());
                final FollowState state = fetched.get(tp);
                if (state == null || partitions.get(tp) != state)
                {
                    continue;
                }
                final Partition partition = state.partition;
                final Errors error = Errors.forCode(p.errorCode());
                if (error == Errors.OFFSET_OUT_OF_RANGE)
                {
                    outOfRange(state, p.logStartOffset());
                    continue;
                }
                if (error != Errors.NONE)
                {
                    ok = false;
                    LOG.debug("Leader {} answered {} for {}", leaderId, error, tp);
                    continue;
                }
                final ByteBuffer records = ((MemoryRecordSet)p.records()).buffer();
                try
                {
                    final long before = partition.highWatermark();
                    if (!partition.appendAsFollower(leaderId, state.epoch, records, p.highWatermark(), info))
                    {
                        stale(tp, state);
                        continue;
                    }
                    if (partition.highWatermark() != before)
                    {
                        highWatermarkListener.accept(tp);
                    }
                }
                catch (final SluiceException e)
                {
                    ok = false;
                    LOG.error("Could not append what leader {} sent for {}: {}", leaderId, tp, e.getMessage());
                }
            }
        }
        return ok;
    }

    /** The answer was for an epoch (or leader) the metadata has left; the partition is about to move or restart. */
    private void stale(final TopicPartition tp, final FollowState state)
    {
        LOG.info("Dropped leader {}'s answer for {} at epoch {}: the partition is now led by {} at epoch {}", leaderId,
            tp, state.epoch, state.partition.leaderId(), state.partition.leaderEpoch());
    }

    @Override
    public void close()
    {
        running = false;
        network.close();
    }
}

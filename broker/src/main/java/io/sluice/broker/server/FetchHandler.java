package io.sluice.broker.server;

import io.sluice.broker.metrics.BrokerMetrics;
import io.sluice.broker.network.FileSliceRecordSet;
import io.sluice.broker.network.RequestContext;
import io.sluice.broker.network.RequestHandler;
import io.sluice.broker.partition.Partition;
import io.sluice.broker.partition.ReplicaManager;
import io.sluice.broker.purgatory.DelayedOperationPurgatory;
import io.sluice.common.TopicPartition;
import io.sluice.common.errors.OffsetOutOfRangeException;
import io.sluice.common.errors.SluiceException;
import io.sluice.common.protocol.Errors;
import io.sluice.common.protocol.MemoryRecordSet;
import io.sluice.common.protocol.MessageReader;
import io.sluice.common.protocol.ProtocolException;
import io.sluice.common.protocol.message.ErrorOnlyResponse;
import io.sluice.common.protocol.message.FetchRequest;
import io.sluice.common.protocol.message.FetchResponse;
import io.sluice.storage.log.LogReadInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Serves fetches from consumers: whole batches below the high watermark, sent from the segment files with zero
 * copy. A fetch with nothing to return yet parks until data arrives or {@code maxWaitMs} passes (long poll).
 */
public final class FetchHandler implements RequestHandler
{
    private static final Logger LOG = LoggerFactory.getLogger(FetchHandler.class);

    private final ReplicaManager replicas;
    private final DelayedOperationPurgatory<DelayedFetch> purgatory;
    private final BrokerMetrics metrics;
    private final java.util.function.Consumer<TopicPartition> highWatermarkMoved;

    public FetchHandler(final ReplicaManager replicas, final DelayedOperationPurgatory<DelayedFetch> purgatory,
        final BrokerMetrics metrics, final java.util.function.Consumer<TopicPartition> highWatermarkMoved)
    {
        this.replicas = replicas;
        this.purgatory = purgatory;
        this.metrics = metrics;
        this.highWatermarkMoved = highWatermarkMoved;
    }

    public static DelayedOperationPurgatory<DelayedFetch> newPurgatory()
    {
        return new DelayedOperationPurgatory<>("fetch");
    }

    @Override
    public void handle(final RequestContext context, final MessageReader body)
    {
        final FetchRequest request = FetchRequest.read(body, context.header().apiVersion);
        body.ensureFullyRead("Fetch request");
        if (request.maxBytes() < 0 || request.minBytes() < 0 || request.maxWaitMs() < 0)
        {
            throw new ProtocolException("Fetch sizes and wait must not be negative");
        }
        if (request.replicaId() >= 0)
        {
            recordFollowerEnds(request);
        }
        final Runnable respond = () -> respond(context, request);
        if (request.maxWaitMs() == 0 || request.minBytes() == 0)
        {
            respond.run();
            return;
        }
        final List<Object> keys = new ArrayList<>();
        for (final FetchRequest.TopicData topic : request.topics())
        {
            for (final FetchRequest.PartitionData p : topic.partitions())
            {
                keys.add(new TopicPartition(topic.name(), p.partition()));
            }
        }
        purgatory.tryCompleteElseWatch(new DelayedFetch(request.maxWaitMs(), () -> satisfied(request), respond),
            keys, context.eventLoop());
    }

    /**
     * Reads and answers. A parked fetch completes on the thread of the produce or timer that released it, where no
     * handler catches for it: unanswered, it would hold back every later answer on its connection.
     */
    private void respond(final RequestContext context, final FetchRequest request)
    {
        final FetchResponse response;
        try
        {
            response = read(request);
        }
        catch (final RuntimeException e)
        {
            LOG.error("Unexpected error serving a fetch from {}", context.remoteAddress(), e);
            context.respond(new ErrorOnlyResponse(Errors.UNKNOWN_SERVER_ERROR.code()));
            return;
        }
        context.respond(response);
    }

    /** A follower's fetch offsets are its log ends: the leader's high watermark may move on them. */
    private void recordFollowerEnds(final FetchRequest request)
    {
        for (final FetchRequest.TopicData topic : request.topics())
        {
            for (final FetchRequest.PartitionData p : topic.partitions())
            {
                final TopicPartition tp = new TopicPartition(topic.name(), p.partition());
                final Partition partition = replicas.partitionOrNull(tp);
                // A follower at another epoch, or whose log diverged, may not hold what its offset claims.
                if (partition == null || p.currentLeaderEpoch() != partition.leaderEpoch()
                    || partition.followerDiverged(p.lastFetchedEpoch(), p.fetchOffset()))
                {
                    continue;
                }
                if (partition.updateFollowerEnd(request.replicaId(), p.fetchOffset()))
                {
                    highWatermarkMoved.accept(tp);
                }
                replicas.onFollowerFetch(partition, request.replicaId());
            }
        }
    }

    /** Whether the fetch can be answered now: enough new bytes, or an error to report. */
    private boolean satisfied(final FetchRequest request)
    {
        long bytes = 0;
        for (final FetchRequest.TopicData topic : request.topics())
        {
            for (final FetchRequest.PartitionData p : topic.partitions())
            {
                final Partition partition = replicas.partitionOrNull(new TopicPartition(topic.name(), p.partition()));
                if (partition == null)
                {
                    return true;
                }
                // A follower may read up to the log end; a consumer only below the high watermark.
                final long highWatermark = request.replicaId() >= 0 ? partition.log().logEndOffset()
                    : partition.highWatermark();
                if (p.fetchOffset() > partition.log().logEndOffset() || p.fetchOffset() < partition.log()
                    .logStartOffset())
                {
                    return true;
                }
                if (highWatermark > p.fetchOffset())
                {
                    if (request.minBytes() <= 1)
                    {
                        return true;
                    }
                    try
                    {
                        bytes += (request.replicaId() >= 0 ? partition.readForFollower(p.fetchOffset(),
                            p.partitionMaxBytes()) : partition.readForConsumer(p.fetchOffset(), p.partitionMaxBytes(),
                            true)).records.sizeInBytes();
                    }
                    catch (final SluiceException e)
                    {
                        return true;
                    }
                    if (bytes >= request.minBytes())
                    {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private FetchResponse read(final FetchRequest request)
    {
        long budget = request.maxBytes() == 0 ? Integer.MAX_VALUE : request.maxBytes();
        boolean first = true;
        final List<FetchResponse.TopicData> topics = new ArrayList<>(request.topics().size());
        for (final FetchRequest.TopicData topic : request.topics())
        {
            final List<FetchResponse.PartitionData> partitions = new ArrayList<>(topic.partitions().size());
            long topicBytes = 0;
            for (final FetchRequest.PartitionData p : topic.partitions())
            {
                final TopicPartition tp = new TopicPartition(topic.name(), p.partition());
                try
                {
                    final Partition partition = replicas.leaderPartition(tp);
                    partition.checkLeaderEpoch(p.currentLeaderEpoch());
                    if (request.replicaId() >= 0 && partition.followerDiverged(p.lastFetchedEpoch(), p.fetchOffset()))
                    {
                        // Its log holds records of an epoch this log ends earlier (or lacks): out of range sends it
                        // back to asking where the epochs agree, and truncating there.
                        throw new OffsetOutOfRangeException("Replica " + request.replicaId() + " diverged from "
                            + tp + " before offset " + p.fetchOffset() + " (epoch " + p.lastFetchedEpoch() + ")");
                    }
                    final int max = (int)Math.min(p.partitionMaxBytes(), budget);
                    final LogReadInfo info = request.replicaId() >= 0
                        ? partition.readForFollower(p.fetchOffset(), Math.max(0, max))
                        : partition.readForConsumer(p.fetchOffset(), Math.max(0, max), first);
                    final int size = info.records.sizeInBytes();
                    if (size > 0)
                    {
                        first = false;
                        budget -= size;
                        topicBytes += size;
                    }
                    partitions.add(new FetchResponse.PartitionData(p.partition(), Errors.NONE.code(),
                        partition.highWatermark(), partition.highWatermark(), info.logStartOffset,
                        size == 0 ? MemoryRecordSet.EMPTY : new FileSliceRecordSet(info.records)));
                }
                catch (final SluiceException e)
                {
                    final Errors error = Errors.forException(e);
                    if (error == Errors.UNKNOWN_SERVER_ERROR)
                    {
                        LOG.error("Unexpected error reading {}", tp, e);
                    }
                    // Out of range, the log start tells a follower whether retention passed it.
                    final Partition hosted = replicas.partitionOrNull(tp);
                    final long logStart = error == Errors.OFFSET_OUT_OF_RANGE && hosted != null
                        ? hosted.log().logStartOffset() : -1L;
                    partitions.add(new FetchResponse.PartitionData(p.partition(), error.code(), -1L, -1L, logStart,
                        MemoryRecordSet.EMPTY));
                }
            }
            if (topicBytes > 0)
            {
                metrics.topic(topic.name()).bytesOut.increment(topicBytes);
            }
            topics.add(new FetchResponse.TopicData(topic.name(), partitions));
        }
        return new FetchResponse(Errors.NONE.code(), topics);
    }
}

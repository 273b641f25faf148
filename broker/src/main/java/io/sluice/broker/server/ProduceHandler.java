package io.sluice.broker.server;

import io.sluice.broker.config.BrokerConfig;
import io.sluice.broker.metrics.BrokerMetrics;
import io.sluice.broker.network.RequestContext;
import io.sluice.broker.network.RequestHandler;
import io.sluice.broker.partition.Partition;
import io.sluice.broker.partition.ReplicaManager;
import io.sluice.broker.purgatory.DelayedOperationPurgatory;
import io.sluice.common.TopicPartition;
import io.sluice.common.errors.SluiceException;
import io.sluice.common.protocol.Errors;
import io.sluice.common.protocol.MessageReader;
import io.sluice.common.protocol.message.ProduceRequest;
import io.sluice.common.protocol.message.ProduceResponse;
import io.sluice.storage.log.LogAppendInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Appends produced batches to the partitions this broker leads. acks=1 answers after the local append; acks=all
 * parks until the high watermark passes the records; acks=0 answers nothing, and closes the connection on an error
 * so the producer notices.
 */
public final class ProduceHandler implements RequestHandler
{
    private static final Logger LOG = LoggerFactory.getLogger(ProduceHandler.class);

    private final BrokerConfig config;
    private final ReplicaManager replicas;
    private final DelayedOperationPurgatory<DelayedProduce> producePurgatory;
    private final HighWatermarkListener highWatermarkListener;
    private final BrokerMetrics metrics;

    /**
     * Told after every append to a partition (its log end moved, perhaps its high watermark too), to complete
     * parked requests: follower fetches wait on the log end, consumer fetches and acks=all produces on the mark.
     */
    @FunctionalInterface
    public interface HighWatermarkListener
    {
        void onHighWatermarkIncrement(TopicPartition tp);
    }

    public ProduceHandler(final BrokerConfig config, final ReplicaManager replicas,
        final DelayedOperationPurgatory<DelayedProduce> producePurgatory,
        final HighWatermarkListener highWatermarkListener, final BrokerMetrics metrics)
    {
        this.config = config;
        this.replicas = replicas;
        this.producePurgatory = producePurgatory;
        this.highWatermarkListener = highWatermarkListener;
        this.metrics = metrics;
    }

    /** Creates the purgatory this handler parks acks=all produces in. */
    public static DelayedOperationPurgatory<DelayedProduce> newPurgatory()
    {
        return new DelayedOperationPurgatory<>("produce");
    }

    @Override
    public void handle(final RequestContext context, final MessageReader body)
    {
        final ProduceRequest request = ProduceRequest.read(body);
        body.ensureFullyRead("Produce request");
        final short acks = request.acks();
        final boolean validAcks = acks == -1 || acks == 0 || acks == 1;
        final Map<TopicPartition, ProduceResponse.PartitionResult> results = new HashMap<>();
        final List<DelayedProduce.Pending> waiting = new ArrayList<>();
        String firstError = null;
        final LogAppendInfo info = new LogAppendInfo();
        final List<TopicPartition> appended = new ArrayList<>();
        for (final ProduceRequest.TopicData topic : request.topics())
        {
            for (final ProduceRequest.PartitionData data : topic.partitions())
            {
                final TopicPartition tp = new TopicPartition(topic.name(), data.partition());
                if (!validAcks)
                {
                    results.put(tp, error(tp, Errors.INVALID_REQUIRED_ACKS, "acks must be -1, 0 or 1, got " + acks));
                    continue;
                }
                try
                {
                    final Partition partition = replicas.leaderPartition(tp);
                    partition.appendAsLeader(data.records(), acks, partition.minInsyncReplicas(),
                        info);
                    final BrokerMetrics.TopicMeters meters = metrics.topic(topic.name());
                    meters.recordsIn.increment(info.recordCount);
                    meters.bytesIn.increment(info.validBytes);
                    appended.add(tp);
                    results.put(tp, new ProduceResponse.PartitionResult(tp.partition(), Errors.NONE.code(),
                        info.firstOffset, -1L, partition.log().logStartOffset(), null));
                    if (acks == -1 && partition.highWatermark() <= info.lastOffset)
                    {
                        waiting.add(new DelayedProduce.Pending(partition, info.lastOffset + 1));
                    }
                }
                catch (final SluiceException e)
                {
                    final Errors error = Errors.forException(e);
                    if (error == Errors.UNKNOWN_SERVER_ERROR)
                    {
                        LOG.error("Unexpected error appending to {}", tp, e);
                    }
                    results.put(tp, error(tp, error, e.getMessage()));
                    if (firstError == null)
                    {
                        firstError = tp + ": " + e.getMessage();
                    }
                }
            }
        }
        // Parked fetches are woken once every partition of the request is appended (the log end moved even where
        // the high watermark did not, so followers fetch too): woken by the first, a fetch would answer with that
        // partition alone and leave the others' records to another round trip, as Kafka's action queue avoids.
        appended.forEach(highWatermarkListener::onHighWatermarkIncrement);
        if (acks == 0)
        {
            if (firstError != null)
            {
                context.closeConnection("acks=0 produce failed (" + firstError + ")");
            }
            else
            {
                context.respondNothing();
            }
            return;
        }
        if (waiting.isEmpty())
        {
            context.respond(response(request, results));
            return;
        }
        final List<Object> keys = new ArrayList<>();
        waiting.forEach(p -> keys.add(p.partition.topicPartition()));
        producePurgatory.tryCompleteElseWatch(new DelayedProduce(request.timeoutMs(), waiting, done ->
        {
            for (final DelayedProduce.Pending p : done)
            {
                if (p.error != Errors.NONE.code())
                {
                    final TopicPartition tp = p.partition.topicPartition();
                    results.put(tp, error(tp, Errors.forCode(p.error), "Not replicated within the request timeout"));
                }
            }
            context.respond(response(request, results));
        }), keys, context.eventLoop());
    }

    private static ProduceResponse.PartitionResult error(final TopicPartition tp, final Errors error,
        final String message)
    {
        return new ProduceResponse.PartitionResult(tp.partition(), error.code(), -1L, -1L, -1L, message);
    }

    private static ProduceResponse response(final ProduceRequest request,
        final Map<TopicPartition, ProduceResponse.PartitionResult> results)
    {
        final List<ProduceResponse.TopicResult> topics = new ArrayList<>(request.topics().size());
        for (final ProduceRequest.TopicData topic : request.topics())
        {
            final List<ProduceResponse.PartitionResult> partitions = new ArrayList<>(topic.partitions().size());
            for (final ProduceRequest.PartitionData data : topic.partitions())
            {
                partitions.add(results.get(new TopicPartition(topic.name(), data.partition())));
            }
            topics.add(new ProduceResponse.TopicResult(topic.name(), partitions));
        }
        return new ProduceResponse(Errors.NONE.code(), topics);
    }
}

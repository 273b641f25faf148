package io.sluice.client.producer;

import io.sluice.client.internals.Cluster;
import io.sluice.client.internals.Futures;
import io.sluice.client.internals.Metadata;
import io.sluice.client.internals.Node;
import io.sluice.client.network.BrokerConnection;
import io.sluice.client.network.NetworkClient;
import io.sluice.common.TopicPartition;
import io.sluice.common.errors.ApiException;
import io.sluice.common.errors.RetriableException;
import io.sluice.common.errors.SluiceException;
import io.sluice.common.errors.TimeoutException;
import io.sluice.common.protocol.ApiKeys;
import io.sluice.common.protocol.Errors;
import io.sluice.common.protocol.message.InitProducerIdRequest;
import io.sluice.common.protocol.message.InitProducerIdResponse;
import io.sluice.common.protocol.message.ProduceRequest;
import io.sluice.common.protocol.message.ProduceResponse;
import io.sluice.common.record.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import io.netty.channel.EventLoop;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

/**
 * The producer's sending logic. It runs on the client's network event loop, not a thread of its own, so a record
 * goes from {@code send()} to the socket with one thread hand-off and its acknowledgement is handled where it
 * arrives. It drains ready batches into produce requests, at most {@code max.in.flight.requests.per.connection}
 * per broker, and handles the answers: completing futures, retrying retriable failures within
 * {@code delivery.timeout.ms} in sequence order, refreshing metadata when a leader moved.
 *
 * <p>With idempotence each partition's batches carry consecutive sequence numbers. When a batch fails, the
 * partition stops sending until its in-flight batches are answered; retriable ones then go again in order, and if
 * a batch failed for good the later ones are renumbered to close the gap, so the broker never sees a hole.
 *
 * <p>Threading: every method but {@link #wakeup}, {@link #initiateClose} and {@link #awaitClosed} runs on the event
 * loop. Nothing here blocks, since blocking would stall every connection of the client.
 */
final class Sender
{
    private static final Logger LOG = LoggerFactory.getLogger(Sender.class);
    private static final long IDLE_CHECK_MS = 50;

    private final ProducerConfig config;
    private final RecordAccumulator accumulator;
    private final Metadata metadata;
    private final NetworkClient network;
    private final EventLoop loop;
    private final CRC32C crc = new CRC32C();
    private final java.util.Set<ProducerBatch> inFlightBatches = new java.util.HashSet<>();
    private final AtomicBoolean runQueued = new AtomicBoolean();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private volatile boolean closing;
    private volatile boolean forceClose;
    private boolean metadataRefreshInFlight;
    private boolean metadataRefreshNeeded;
    private boolean initInFlight;
    private ScheduledFuture<?> timer;
    private long timerDueMs = Long.MAX_VALUE;
    private long producerId = RecordBatch.NO_PRODUCER_ID;
    private short producerEpoch = RecordBatch.NO_PRODUCER_EPOCH;
    private long nextInitAttemptMs;

    Sender(final ProducerConfig config, final RecordAccumulator accumulator, final Metadata metadata,
        final NetworkClient network)
    {
        this.config = config;
        this.accumulator = accumulator;
        this.metadata = metadata;
        this.network = network;
        this.loop = network.eventLoop();
    }

    void start()
    {
        wakeup();
    }

    /** Asks for a pass on the event loop soon; cheap and safe from any thread, coalesced while one is queued. */
    void wakeup()
    {
        if (runQueued.compareAndSet(false, true))
        {
            try
            {
                loop.execute(this::run);
            }
            catch (final java.util.concurrent.RejectedExecutionException e)
            {
                runQueued.set(false);
            }
        }
    }

    /** Whether the caller is on the event loop, where nothing may block. */
    boolean inEventLoop()
    {
        return loop.inEventLoop();
    }

    /** Stops after sending what is queued ({@code force} false) or at once, failing what is left. */
    void initiateClose(final boolean force)
    {
        closing = true;
        forceClose |= force;
        wakeup();
    }

    /** Waits until the sender has finished closing; returns whether it did within the timeout. */
    boolean awaitClosed(final long timeoutMs) throws InterruptedException
    {
        try
        {
            closed.get(Math.max(1, timeoutMs), TimeUnit.MILLISECONDS);
            return true;
        }
        catch (final java.util.concurrent.TimeoutException e)
        {
            return false;
        }
        catch (final java.util.concurrent.ExecutionException e)
        {
            return true;
        }
    }

    private void run()
    {
        runQueued.set(false);
        if (closed.isDone())
        {
            return;
        }
        try
        {
            runOnce();
        }
        catch (final RuntimeException e)
        {
            LOG.error("Unexpected error in the producer's sender", e);
            runIn(config.common.retryBackoffMs());
        }
    }

    /** Schedules a pass in {@code delayMs} unless one is due sooner. */
    private void runIn(final long delayMs)
    {
        final long due = System.currentTimeMillis() + Math.max(0, delayMs);
        if (timer != null && !timer.isDone() && timerDueMs <= due)
        {
            return;
        }
        if (timer != null)
        {
            timer.cancel(false);
        }
        timerDueMs = due;
        timer = loop.schedule(this::wakeup, Math.max(0, delayMs), TimeUnit.MILLISECONDS);
    }

    private void runOnce()
    {
        final long now = System.currentTimeMillis();
        if (forceClose)
        {
            finishClose();
            return;
        }
        if (config.idempotent && producerId < 0)
        {
            if (!initInFlight && now >= nextInitAttemptMs)
            {
                initProducerId();
            }
            failExpired(now);
            if (closing && !accumulator.hasIncomplete())
            {
                finishClose();
                return;
            }
            runIn(producerId < 0 ? Math.max(1, Math.min(IDLE_CHECK_MS, nextInitAttemptMs - now)) : 0);
            return;
        }
        final Cluster cluster = metadata.cluster();
        final RecordAccumulator.ReadyCheck ready = accumulator.ready(cluster, now);
        if (ready.unknownLeader() || metadataRefreshNeeded || metadata.isStale() && accumulator.hasUndrained())
        {
            refreshMetadata();
        }
        final java.util.Set<Node> sendable = new java.util.HashSet<>();
        for (final Node node : ready.nodes())
        {
            if (network.connection(node.host(), node.port()).inFlightCount() < config.maxInFlight)
            {
                sendable.add(node);
            }
        }
        final Map<Node, List<ProducerBatch>> drained = accumulator.drain(cluster, sendable,
            config.maxRequestSize, now);
        for (final Map.Entry<Node, List<ProducerBatch>> entry : drained.entrySet())
        {
            send(entry.getKey(), entry.getValue());
        }
        failExpired(now);
        if (closing && !accumulator.hasIncomplete())
        {
            finishClose();
            return;
        }
        if (!drained.isEmpty())
        {
            // More may be ready behind what was just drained (one batch per partition per pass).
            wakeup();
        }
        else if (accumulator.hasIncomplete())
        {
            runIn(Math.min(ready.nextDelayMs(), IDLE_CHECK_MS));
        }
    }

    private void finishClose()
    {
        final SluiceException abandoned = new SluiceException("The producer was closed before the record was sent");
        accumulator.abortAll(abandoned);
        for (final ProducerBatch batch : inFlightBatches)
        {
            batch.fail(new SluiceException("The producer was closed before the broker answered"));
            accumulator.deallocate(batch);
        }
        inFlightBatches.clear();
        if (timer != null)
        {
            timer.cancel(false);
        }
        closed.complete(null);
    }

    private void refreshMetadata()
    {
        if (metadataRefreshInFlight)
        {
            return;
        }
        metadataRefreshInFlight = true;
        metadataRefreshNeeded = false;
        final List<String> topics = new ArrayList<>(metadata.cluster().topics().keySet());
        metadata.refresh(topics.isEmpty() ? null : topics, false).whenComplete((c, e) -> loop.execute(() ->
        {
            metadataRefreshInFlight = false;
            if (e != null)
            {
                metadataRefreshNeeded = true;
                runIn(config.common.retryBackoffMs());
            }
            else
            {
                wakeup();
            }
        }));
    }

    /** Asks any broker for a producer id, without blocking; the answer triggers the next pass. */
    private void initProducerId()
    {
        final Cluster cluster = metadata.cluster();
        initInFlight = true;
        if (cluster.nodes().isEmpty())
        {
            metadata.refresh(List.of(), false).whenComplete((c, e) -> loop.execute(() ->
            {
                initInFlight = false;
                if (e != null)
                {
                    LOG.warn("Cannot reach a broker for a producer id: {}", Futures.unwrap(e).getMessage());
                    nextInitAttemptMs = System.currentTimeMillis() + config.common.retryBackoffMs();
                }
                wakeup();
            }));
            return;
        }
        // Not always the same broker: one that stopped answering must not hold the producer up for good.
        final Node node = metadata.leastLoadedNode();
        network.send(node.host(), node.port(), ApiKeys.INIT_PRODUCER_ID,
            new InitProducerIdRequest(null, 0, producerId, producerEpoch), InitProducerIdResponse::read)
            .whenComplete((response, e) -> loop.execute(() ->
            {
                initInFlight = false;
                final Errors error = response == null ? null : Errors.forCode(response.errorCode());
                if (e == null && error == Errors.NONE)
                {
                    producerId = response.producerId();
                    producerEpoch = response.producerEpoch();
                }
                else
                {
                    LOG.warn("InitProducerId failed: {}", e != null ? Futures.unwrap(e).getMessage() : error);
                    nextInitAttemptMs = System.currentTimeMillis() + config.common.retryBackoffMs();
                }
                wakeup();
            }));
    }

    private void send(final Node node, final List<ProducerBatch> batches)
    {
        final Map<String, List<ProduceRequest.PartitionData>> byTopic = new LinkedHashMap<>();
        final Map<TopicPartition, ProducerBatch> byPartition = new HashMap<>();
        for (final ProducerBatch batch : batches)
        {
            if (!batch.isClosed())
            {
                final RecordAccumulator.PartitionQueue queue = accumulator.queue(batch.topicPartition);
                if (config.idempotent)
                {
                    batch.close(producerId, producerEpoch, queue.nextSequence);
                    queue.nextSequence += batch.recordCount();
                }
                else
                {
                    batch.close(RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH, RecordBatch.NO_SEQUENCE);
                }
            }
            inFlightBatches.add(batch);
            byTopic.computeIfAbsent(batch.topicPartition.topic(), t -> new ArrayList<>())
                .add(new ProduceRequest.PartitionData(batch.topicPartition.partition(), batch.bytes()));
            byPartition.put(batch.topicPartition, batch);
        }
        final List<ProduceRequest.TopicData> topics = new ArrayList<>();
        byTopic.forEach((topic, partitions) -> topics.add(new ProduceRequest.TopicData(topic, partitions)));
        final ProduceRequest request = new ProduceRequest(null, config.acks, (int)config.common.requestTimeoutMs(), topics);
        final BrokerConnection connection = network.connection(node.host(), node.port());
        if (config.acks == 0)
        {
            connection.send(ApiKeys.PRODUCE, request, null).whenComplete((none, error) ->
                onLoop(() -> onResponse(batches, null, error)));
            return;
        }
        connection.send(ApiKeys.PRODUCE, request, ProduceResponse::read).whenComplete((response, error) ->
            onLoop(() -> onResponse(batches, response, error)));
    }

    /** Answers arrive on the event loop already; a failure raised elsewhere is handed over. */
    private void onLoop(final Runnable task)
    {
        if (loop.inEventLoop())
        {
            task.run();
        }
        else
        {
            loop.execute(task);
        }
        wakeup();
    }

    private void onResponse(final List<ProducerBatch> batches, final ProduceResponse response, final Throwable error)
    {
        final Map<TopicPartition, ProduceResponse.PartitionResult> results = new HashMap<>();
        if (response != null)
        {
            for (final ProduceResponse.TopicResult topic : response.topics())
            {
                for (final ProduceResponse.PartitionResult p : topic.partitions())
                {
                    results.put(new TopicPartition(topic.name(), p.partition()), p);
                }
            }
        }
        final long now = System.currentTimeMillis();
        for (final ProducerBatch batch : batches)
        {
            if (!inFlightBatches.remove(batch))
            {
                continue;
            }
            final RecordAccumulator.PartitionQueue queue = accumulator.queue(batch.topicPartition);
            queue.inFlight--;
            if (error == null && response == null)
            {
                // acks=0: written, never answered.
                batch.complete(-1);
                accumulator.deallocate(batch);
            }
            else
            {
                handle(batch, queue, error, results.get(batch.topicPartition), now);
            }
            maybeFinishRecovery(queue);
        }
    }

    private void handle(final ProducerBatch batch, final RecordAccumulator.PartitionQueue queue,
        final Throwable error, final ProduceResponse.PartitionResult result, final long now)
    {
        final SluiceException failure;
        final Errors code;
        if (error != null)
        {
            failure = Futures.unwrap(error);
            code = failure instanceof ApiException ? Errors.forCode(((ApiException)failure).code())
                : Errors.NETWORK_EXCEPTION;
            metadataRefreshNeeded = true;
        }
        else if (result == null)
        {
            failure = new SluiceException("The broker's answer left out " + batch.topicPartition);
            code = Errors.UNKNOWN_SERVER_ERROR;
        }
        else
        {
            code = Errors.forCode(result.errorCode());
            if (code == Errors.NONE)
            {
                if (batch.baseSequence >= 0)
                {
                    queue.ackedUpTo = Math.max(queue.ackedUpTo, batch.baseSequence + batch.recordCount());
                }
                batch.complete(result.baseOffset());
                accumulator.deallocate(batch);
                return;
            }
            failure = code.exception(result.errorMessage());
        }
        if (code.refreshesMetadata())
        {
            metadataRefreshNeeded = true;
        }
        // Out of order is expected while an earlier batch is unanswered or being retried (it went to a leader that
        // died, and this one reached the new leader first): this batch goes again after it. Only the batch right
        // after the last acknowledged one proves the leader lost records.
        final boolean retriable = code.isRetriable() || failure instanceof RetriableException
            || code == Errors.OUT_OF_ORDER_SEQUENCE_NUMBER
            && (queue.recovering || batch.baseSequence != queue.ackedUpTo);
        if (retriable && batch.attempts < config.retries && now < batch.deliveryDeadlineMs)
        {
            batch.attempts++;
            batch.lastError = failure;
            batch.retryAfterMs = now + config.common.retryBackoffMs();
            queue.toRetry.add(batch);
            queue.recovering = true;
            return;
        }
        final SluiceException reported = now >= batch.deliveryDeadlineMs && retriable
            ? new TimeoutException("Record not acknowledged within delivery.timeout.ms (" + config.deliveryTimeoutMs
                + " ms); last error: " + failure.getMessage())
            : failure;
        batch.fail(reported);
        accumulator.deallocate(batch);
        if (config.idempotent && batch.baseSequence >= 0)
        {
            queue.recovering = true;
            queue.gapAt = queue.gapAt < 0 ? batch.baseSequence : Math.min(queue.gapAt, batch.baseSequence);
        }
    }

    private void maybeFinishRecovery(final RecordAccumulator.PartitionQueue queue)
    {
        if (!queue.recovering || queue.inFlight > 0)
        {
            return;
        }
        final List<ProducerBatch> retries = new ArrayList<>(queue.toRetry);
        queue.toRetry.clear();
        retries.sort(Comparator.comparingInt(b -> b.baseSequence));
        if (config.idempotent && queue.gapAt >= 0)
        {
            int sequence = queue.gapAt;
            for (final ProducerBatch batch : retries)
            {
                if (batch.baseSequence > queue.gapAt)
                {
                    batch.resequence(sequence, crc);
                    sequence += batch.recordCount();
                }
            }
            queue.nextSequence = sequence;
        }
        queue.gapAt = -1;
        queue.recovering = false;
        accumulator.reenqueue(queue, retries);
    }

    private void failExpired(final long now)
    {
        for (final ProducerBatch batch : accumulator.expire(now))
        {
            batch.fail(new TimeoutException("Record not sent within delivery.timeout.ms (" + config.deliveryTimeoutMs
                + " ms)" + (metadata.cluster().leader(batch.topicPartition) == null
                ? ": no leader known for " + batch.topicPartition : "")
                + (batch.lastError == null ? "" : "; last error: " + batch.lastError.getMessage())));
            accumulator.deallocate(batch);
        }
    }
}

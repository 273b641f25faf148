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
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32C;

/**
 * The producer's I/O thread: it drains ready batches into produce requests, at most
 * {@code max.in.flight.requests.per.connection} per broker, and handles the answers: completing futures, retrying
 * retriable failures within {@code delivery.timeout.ms} in sequence order, refreshing metadata when a leader moved.
 *
 * <p>With idempotence each partition's batches carry consecutive sequence numbers. When a batch fails, the
 * partition stops sending until its in-flight batches are answered; retriable ones then go again in order, and if
 * a batch failed for good the later ones are renumbered to close the gap, so the broker never sees a hole.
 */
final class Sender implements Runnable
{
    private static final Logger LOG = LoggerFactory.getLogger(Sender.class);

    private final ProducerConfig config;
    private final RecordAccumulator accumulator;
    private final Metadata metadata;
    private final NetworkClient network;
    private final ConcurrentLinkedQueue<Runnable> completions = new ConcurrentLinkedQueue<>();
    private final CRC32C crc = new CRC32C();
    private final java.util.Set<ProducerBatch> inFlightBatches = new java.util.HashSet<>();
    private volatile Thread thread;
    private volatile boolean running = true;
    private volatile boolean forceClose;
    private volatile boolean metadataRefreshInFlight;
    private boolean metadataRefreshNeeded;
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
    }

    void start()
    {
        final Thread t = new Thread(this, "sluice-producer-" + config.clientId);
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    void wakeup()
    {
        final Thread t = thread;
        if (t != null)
        {
            LockSupport.unpark(t);
        }
    }

    /** Stops after sending what is queued ({@code force} false) or at once, failing what is left. */
    void initiateClose(final boolean force)
    {
        forceClose = force;
        running = false;
        wakeup();
    }

    void join(final long timeoutMs) throws InterruptedException
    {
        final Thread t = thread;
        if (t != null)
        {
            t.join(Math.max(1, timeoutMs));
        }
    }

    @Override
    public void run()
    {
        while (running)
        {
            runOnce();
        }
        // Closing: keep sending what is queued and in flight unless told to stop at once.
        while (!forceClose && accumulator.hasIncomplete())
        {
            runOnce();
        }
        final SluiceException closed = new SluiceException("The producer was closed before the record was sent");
        accumulator.abortAll(closed);
        for (final ProducerBatch batch : inFlightBatches)
        {
            batch.fail(new SluiceException("The producer was closed before the broker answered"));
            accumulator.deallocate(batch);
        }
        inFlightBatches.clear();
    }

    private void runOnce()
    {
        try
        {
            runCompletions();
            final long now = System.currentTimeMillis();
            if (config.idempotent && producerId < 0)
            {
                if (now >= nextInitAttemptMs && !initProducerId())
                {
                    nextInitAttemptMs = now + config.retryBackoffMs;
                }
                if (producerId < 0)
                {
                    failExpired(now);
                    park(Math.max(1, nextInitAttemptMs - now));
                    return;
                }
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
            if (drained.isEmpty() && completions.isEmpty())
            {
                park(Math.min(ready.nextDelayMs(), 50));
            }
        }
        catch (final RuntimeException e)
        {
            if (running)
            {
                LOG.error("Unexpected error in the producer's sender thread", e);
            }
            park(config.retryBackoffMs);
        }
    }

    private void park(final long ms)
    {
        if (ms > 0 && completions.isEmpty())
        {
            LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(ms));
        }
    }

    private void runCompletions()
    {
        Runnable completion;
        while ((completion = completions.poll()) != null)
        {
            completion.run();
        }
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
        metadata.refresh(topics.isEmpty() ? null : topics, false).whenComplete((c, e) ->
        {
            metadataRefreshInFlight = false;
            if (e != null)
            {
                completions.add(() -> metadataRefreshNeeded = true);
            }
            wakeup();
        });
    }

    private boolean initProducerId()
    {
        Cluster cluster = metadata.cluster();
        if (cluster.nodes().isEmpty())
        {
            try
            {
                cluster = metadata.refreshBlocking(List.of(), false, config.requestTimeoutMs);
            }
            catch (final SluiceException e)
            {
                LOG.warn("Cannot reach a broker for a producer id: {}", e.getMessage());
                return false;
            }
        }
        final Node node = cluster.nodes().values().iterator().next();
        try
        {
            final InitProducerIdResponse response = Futures.await(network.send(node.host(), node.port(),
                ApiKeys.INIT_PRODUCER_ID, new InitProducerIdRequest(null, 0, producerId, producerEpoch),
                InitProducerIdResponse::read), config.requestTimeoutMs, "InitProducerId");
            final Errors error = Errors.forCode(response.errorCode());
            if (error != Errors.NONE)
            {
                LOG.warn("InitProducerId failed: {}", error);
                return false;
            }
            producerId = response.producerId();
            producerEpoch = response.producerEpoch();
            return true;
        }
        catch (final SluiceException e)
        {
            LOG.warn("InitProducerId failed: {}", e.getMessage());
            return false;
        }
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
        final ProduceRequest request = new ProduceRequest(null, config.acks, (int)config.requestTimeoutMs, topics);
        final BrokerConnection connection = network.connection(node.host(), node.port());
        if (config.acks == 0)
        {
            connection.send(ApiKeys.PRODUCE, request, null).whenComplete((none, error) ->
            {
                completions.add(() -> onResponse(batches, null, error));
                wakeup();
            });
            return;
        }
        connection.send(ApiKeys.PRODUCE, request, ProduceResponse::read).whenComplete((response, error) ->
        {
            completions.add(() -> onResponse(batches, response, error));
            wakeup();
        });
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
        final boolean retriable = code.isRetriable() || failure instanceof RetriableException
            || code == Errors.OUT_OF_ORDER_SEQUENCE_NUMBER && queue.recovering;
        if (retriable && batch.attempts < config.retries && now < batch.deliveryDeadlineMs)
        {
            batch.attempts++;
            batch.retryAfterMs = now + config.retryBackoffMs;
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
                ? ": no leader known for " + batch.topicPartition : "")));
            accumulator.deallocate(batch);
        }
    }

    /** For tests and tools: the producer id in use, or -1. */
    long producerId()
    {
        return producerId;
    }
}

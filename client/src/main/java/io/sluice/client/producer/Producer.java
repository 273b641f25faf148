package io.sluice.client.producer;

import io.sluice.client.internals.Cluster;
import io.sluice.client.internals.Metadata;
import io.sluice.client.internals.PartitionInfo;
import io.sluice.client.network.NetworkClient;
import io.sluice.client.serialization.Serdes;
import io.sluice.client.serialization.Serializer;
import io.sluice.common.errors.ConfigException;
import io.sluice.common.errors.RecordTooLargeException;
import io.sluice.common.errors.SluiceException;
import io.sluice.common.errors.TimeoutException;
import io.sluice.common.protocol.Errors;
import io.sluice.common.record.Header;
import io.sluice.common.record.RecordBatch;
import io.sluice.common.record.RecordBatchBuilder;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Sends records to topics. Thread-safe: many threads may share one producer. {@link #send} returns at once with a
 * future (blocking only up to {@code max.block.ms} for a topic's first metadata or for buffer memory); records are
 * batched per partition, compressed if asked, and sent by the client's network event loop with retries. Idempotent
 * by default, so a retried batch is written once.
 *
 * <p>The returned futures complete on that event loop, as Kafka's callbacks run on its sender thread: keep
 * callbacks short and never block in them. A {@code send} from a callback never blocks; it fails at once if it
 * would have to wait for metadata or buffer memory.
 */
public final class Producer<K, V> implements AutoCloseable
{
    private final ProducerConfig config;
    private final Serializer<K> keySerializer;
    private final Serializer<V> valueSerializer;
    private final NetworkClient network;
    private final Metadata metadata;
    private final RecordAccumulator accumulator;
    private final Sender sender;
    /** Handed to every append, so a send that fills or starts a batch wakes the sender without allocating. */
    private final Runnable wakeSender;
    private final Partitioner partitioner = new Partitioner();
    private volatile boolean closed;

    public Producer(final Map<String, ?> props, final Serializer<K> keySerializer,
        final Serializer<V> valueSerializer)
    {
        this.config = new ProducerConfig(props);
        this.keySerializer = keySerializer != null ? keySerializer : serializer(ProducerConfig.KEY_SERIALIZER,
            config.keySerializer);
        this.valueSerializer = valueSerializer != null ? valueSerializer
            : serializer(ProducerConfig.VALUE_SERIALIZER, config.valueSerializer);
        this.network = config.common.newNetworkClient();
        this.metadata = config.common.newMetadata(network);
        this.accumulator = new RecordAccumulator(config);
        this.sender = new Sender(config, accumulator, metadata, network);
        this.wakeSender = sender::wakeup;
        sender.start();
    }

    /** A producer whose serializers are named by {@code key.serializer} and {@code value.serializer}. */
    public Producer(final Map<String, ?> props)
    {
        this(props, null, null);
    }

    private static <T> Serializer<T> serializer(final String key, final String className)
    {
        if (className == null)
        {
            throw new ConfigException("Missing configuration " + key + ": pass a serializer or name its class");
        }
        return Serdes.instantiate(key, className, Serializer.class);
    }

    /**
     * Queues a record and returns the future of its acknowledgement. The future fails with a typed exception:
     * {@link TimeoutException} (no metadata or memory within {@code max.block.ms}, or no acknowledgement within
     * {@code delivery.timeout.ms}), {@link RecordTooLargeException}, or the broker's error.
     *
     * @throws IllegalStateException if the producer is closed.
     */
    public CompletableFuture<RecordMetadata> send(final ProducerRecord<K, V> record)
    {
        final CallbackFuture future = new CallbackFuture();
        send(record, future);
        return future;
    }

    /**
     * Queues a record and calls {@code callback} once with its metadata or its failure (the exceptions of
     * {@link #send(ProducerRecord)}), as Kafka's {@code send(record, callback)}: on the client's event loop, or on
     * this thread when the record failed before it was queued. Keeps less per record until the answer than a
     * callback added to the future of {@link #send(ProducerRecord)}, which matters with many records in flight.
     *
     * @param callback null for none, as with Kafka's.
     * @return the record's future, which cannot be cancelled.
     * @throws IllegalStateException if the producer is closed.
     */
    public Future<RecordMetadata> send(final ProducerRecord<K, V> record, final Callback callback)
    {
        if (callback == null)
        {
            return send(record);
        }
        if (closed)
        {
            throw new IllegalStateException("Cannot send after the producer is closed");
        }
        try
        {
            // Callbacks run on the client's event loop: a send from one must not block it, or nothing would
            // ever arrive to unblock it.
            final long maxBlockMs = sender.inEventLoop() ? 0 : config.maxBlockMs;
            // Indexed by partition number; each carries its TopicPartition, so a send allocates none.
            List<PartitionInfo> partitionInfos = metadata.cluster().partitions(record.topic());
            // Only waiting for metadata counts against max.block.ms here, as in Kafka; the clock is read only
            // then (two reads per record were a tenth of a sending thread's time).
            long maxBlock = maxBlockMs;
            if (partitionInfos.isEmpty())
            {
                final long start = System.nanoTime();
                partitionInfos = awaitPartitions(record.topic(), maxBlockMs);
                maxBlock = Math.max(0, maxBlockMs - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            }
            final int partitions = partitionInfos.size();
            final byte[] key = keySerializer.serialize(record.topic(), record.key());
            final byte[] value = valueSerializer.serialize(record.topic(), record.value());
            final Header[] headers = record.headers() == null ? Header.NONE : record.headers().toArray(Header.NONE);
            final int size = RecordBatch.HEADER_SIZE + RecordBatchBuilder.sizeOfRecord(0, 0,
                key == null ? -1 : key.length, value == null ? -1 : value.length, headers);
            if (size > config.maxRequestSize)
            {
                throw new RecordTooLargeException("The record is " + size + " bytes serialized, more than "
                    + "max.request.size (" + config.maxRequestSize + ")");
            }
            final int partition;
            if (record.partition() != null)
            {
                if (record.partition() < 0 || record.partition() >= partitions)
                {
                    throw new IllegalArgumentException("Partition " + record.partition() + " of topic "
                        + record.topic() + " does not exist; it has " + partitions + " partition(s)");
                }
                partition = record.partition();
            }
            else
            {
                partition = partitioner.partition(record.topic(), key, partitions);
            }
            final long now = System.currentTimeMillis();
            final long timestamp = record.timestamp() == null ? now : record.timestamp();
            final boolean sticky = key == null && record.partition() == null;
            Future<RecordMetadata> future = accumulator.append(partitionInfos.get(partition).topicPartition(),
                timestamp, key, value, headers, callback, maxBlock, now, sticky, wakeSender);
            if (future == RecordAccumulator.ABORTED_FOR_NEW_BATCH)
            {
                // The sticky partition's batch is done: move on, as Kafka's partitioner does, then start a batch.
                partitioner.onNewBatch(record.topic(), partition, partitions);
                final int next = partitioner.partition(record.topic(), null, partitions);
                future = accumulator.append(partitionInfos.get(next).topicPartition(), timestamp, key, value,
                    headers, callback, maxBlock, now, false, wakeSender);
            }
            return future;
        }
        catch (final SluiceException | IllegalArgumentException e)
        {
            return failedBeforeQueued(callback, e);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            return failedBeforeQueued(callback, new SluiceException("Interrupted while sending"));
        }
    }

    private static Future<RecordMetadata> failedBeforeQueued(final Callback callback, final RuntimeException error)
    {
        callback.onCompletion(null, error);
        return callback instanceof CallbackFuture future ? future : CompletableFuture.failedFuture(error);
    }

    /** The partitions of {@code topic}, refreshing metadata until it has some, for up to {@code maxBlockMs}. */
    private List<PartitionInfo> awaitPartitions(final String topic, final long maxBlockMs)
    {
        Cluster cluster = metadata.cluster();
        if (!cluster.partitions(topic).isEmpty())
        {
            return cluster.partitions(topic);
        }
        if (maxBlockMs == 0)
        {
            throw new TimeoutException("Topic " + topic + " is not in metadata yet, and send() called from a "
                + "callback may not block to fetch it");
        }
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxBlockMs);
        while (true)
        {
            final long remaining = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (remaining <= 0)
            {
                throw new TimeoutException("Topic " + topic + " not present in metadata after " + maxBlockMs
                    + " ms (max.block.ms)");
            }
            try
            {
                cluster = metadata.refreshBlocking(List.of(topic), true, remaining);
            }
            catch (final TimeoutException e)
            {
                throw new TimeoutException("Topic " + topic + " not present in metadata after " + maxBlockMs
                    + " ms (max.block.ms): " + e.getMessage());
            }
            final Errors error = cluster.topicErrors().get(topic);
            if (error != null && !error.isRetriable())
            {
                throw error.exception("Cannot send to topic '" + topic + "'");
            }
            if (!cluster.partitions(topic).isEmpty())
            {
                return cluster.partitions(topic);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(
                Math.min(config.common.retryBackoffMs(), Math.max(1, remaining))));
        }
    }

    /**
     * Sends every queued record now and waits until each is acknowledged or failed.
     *
     * @throws TimeoutException if that takes longer than {@code delivery.timeout.ms} + {@code request.timeout.ms}.
     */
    public void flush()
    {
        accumulator.beginFlush();
        sender.wakeup();
        // Every batch ends within delivery.timeout.ms, acknowledged or failed, so this bound only trips when the
        // sender itself is stuck. Failures are the records' own to report; flush only waits.
        final long timeoutMs = config.deliveryTimeoutMs + config.common.requestTimeoutMs();
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        try
        {
            for (final ProducerBatch batch : accumulator.incompleteBatches())
            {
                if (!batch.awaitDone(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS))
                {
                    throw new TimeoutException("flush did not complete within " + timeoutMs + " ms");
                }
            }
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new SluiceException("Interrupted while flushing");
        }
        finally
        {
            accumulator.endFlush();
        }
    }

    /** The partitions of a topic, fetching metadata if needed. */
    public int partitionCount(final String topic)
    {
        return awaitPartitions(topic, config.maxBlockMs).size();
    }

    /** Closes after sending everything queued, waiting at most {@code delivery.timeout.ms}. */
    @Override
    public void close()
    {
        close(Duration.ofMillis(config.deliveryTimeoutMs));
    }

    /**
     * Sends what is queued within {@code timeout}, then fails whatever is left with an exception saying the
     * producer closed, and releases the connections.
     */
    public void close(final Duration timeout)
    {
        if (closed)
        {
            return;
        }
        closed = true;
        accumulator.beginClose();
        sender.initiateClose(false);
        try
        {
            if (!sender.awaitClosed(timeout.toMillis()))
            {
                sender.initiateClose(true);
                sender.awaitClosed(5_000);
            }
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            sender.initiateClose(true);
        }
        finally
        {
            network.close();
        }
    }
}

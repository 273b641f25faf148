package io.sluice.client.producer;

import io.sluice.client.internals.Cluster;
import io.sluice.client.internals.Node;
import io.sluice.common.TopicPartition;
import io.sluice.common.errors.SluiceException;
import io.sluice.common.record.CompressionType;
import io.sluice.common.record.Header;
import io.sluice.common.record.RecordBatchBuilder;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Batches waiting to be sent, one queue per partition. Application threads append under the queue's lock; the
 * sender thread asks which brokers have a batch ready (full, lingered long enough, flushing or closing) and drains
 * one batch per partition at a time into requests.
 */
final class RecordAccumulator
{
    /** One partition's waiting batches and, for the sender thread only, its sequence and retry state. */
    static final class PartitionQueue
    {
        final ArrayDeque<ProducerBatch> batches = new ArrayDeque<>();
        int nextSequence;
        /** The sequence after the last acknowledged batch: what the leader expects next if nothing is in flight. */
        int ackedUpTo;
        int inFlight;
        boolean recovering;
        int gapAt = -1;
        final List<ProducerBatch> toRetry = new ArrayList<>();
    }

    private final Map<TopicPartition, PartitionQueue> queues = new ConcurrentHashMap<>();
    private final Set<ProducerBatch> incomplete = ConcurrentHashMap.newKeySet();
    private final BufferPool pool;
    private final int batchSize;
    private final long lingerMs;
    private final long deliveryTimeoutMs;
    private final CompressionType compression;
    private final AtomicInteger flushesInProgress = new AtomicInteger();
    private volatile boolean closing;

    RecordAccumulator(final ProducerConfig config)
    {
        this.batchSize = Math.max(config.batchSize, 1);
        this.lingerMs = config.lingerMs;
        this.deliveryTimeoutMs = config.deliveryTimeoutMs;
        this.compression = config.compression;
        this.pool = new BufferPool(config.bufferMemory, batchSize);
    }

    PartitionQueue queue(final TopicPartition tp)
    {
        return queues.computeIfAbsent(tp, k -> new PartitionQueue());
    }

    /** Returned when {@code abortOnNewBatch} stopped an append that needed a new batch; never completed. */
    static final Future<RecordMetadata> ABORTED_FOR_NEW_BATCH = new CompletableFuture<>();

    /**
     * Appends to the partition's open batch, or starts a new one. With {@code abortOnNewBatch} (records the sticky
     * partitioner placed) it returns {@link #ABORTED_FOR_NEW_BATCH} instead of starting one, so the partitioner
     * can move on to another partition first. Returns the record's future ({@code callback} itself when it is a
     * {@link CallbackFuture}); {@code batchReady} runs (outside the partition's lock) when the append filled a batch
     * or started one, which the sender must then look at.
     */
    Future<RecordMetadata> append(final TopicPartition tp, final long timestamp, final byte[] key,
        final byte[] value, final Header[] headers, final Callback callback, final long maxBlockMs, final long nowMs,
        final boolean abortOnNewBatch, final Runnable batchReady) throws InterruptedException
    {
        final PartitionQueue queue = queue(tp);
        Future<RecordMetadata> future;
        boolean ready;
        synchronized (queue)
        {
            future = appendToOpenBatch(queue, timestamp, key, value, headers, callback);
            if (future == null && abortOnNewBatch)
            {
                return ABORTED_FOR_NEW_BATCH;
            }
            ready = future != null && queue.batches.peekLast().isFull();
        }
        if (future == null)
        {
            final int recordSize = RecordBatchBuilder.sizeOfRecord(0, 0, key == null ? -1 : key.length,
                value == null ? -1 : value.length, headers) + 128;
            final int size = Math.max(batchSize, recordSize);
            final RecordBatchBuilder builder = pool.allocate(size, maxBlockMs);
            synchronized (queue)
            {
                // Another thread may have started a batch while this one waited for memory.
                future = appendToOpenBatch(queue, timestamp, key, value, headers, callback);
                if (future != null)
                {
                    pool.release(builder, size);
                    ready = queue.batches.peekLast().isFull();
                }
                else
                {
                    final ProducerBatch batch = new ProducerBatch(tp, builder, size, compression, nowMs,
                        deliveryTimeoutMs);
                    future = batch.tryAppend(timestamp, key, value, headers, callback);
                    queue.batches.addLast(batch);
                    incomplete.add(batch);
                    ready = true;
                }
            }
        }
        if (ready)
        {
            batchReady.run();
        }
        return future;
    }

    /** Appends to the partition's last batch; null if there is none, it is closed or the record does not fit. */
    private static Future<RecordMetadata> appendToOpenBatch(final PartitionQueue queue, final long timestamp,
        final byte[] key, final byte[] value, final Header[] headers, final Callback callback)
    {
        final ProducerBatch last = queue.batches.peekLast();
        return last == null || last.isClosed() ? null : last.tryAppend(timestamp, key, value, headers, callback);
    }

    /** Brokers with a batch ready to go, and how long until the next batch becomes ready. */
    record ReadyCheck(Set<Node> nodes, long nextDelayMs, boolean unknownLeader)
    {
    }

    ReadyCheck ready(final Cluster cluster, final long nowMs)
    {
        final Set<Node> nodes = new HashSet<>();
        long nextDelay = Long.MAX_VALUE;
        boolean unknownLeader = false;
        final boolean flushing = flushesInProgress.get() > 0 || closing;
        for (final Map.Entry<TopicPartition, PartitionQueue> entry : queues.entrySet())
        {
            final PartitionQueue queue = entry.getValue();
            synchronized (queue)
            {
                final ProducerBatch first = queue.batches.peekFirst();
                if (first == null || queue.recovering)
                {
                    continue;
                }
                final Node leader = cluster.leader(entry.getKey());
                if (leader == null)
                {
                    unknownLeader = true;
                    continue;
                }
                if (first.attempts > 0 && first.retryAfterMs > nowMs)
                {
                    nextDelay = Math.min(nextDelay, first.retryAfterMs - nowMs);
                    continue;
                }
                final long waited = nowMs - first.createdMs;
                if (flushing || first.isFull() || queue.batches.size() > 1 || waited >= lingerMs
                    || first.attempts > 0)
                {
                    nodes.add(leader);
                }
                else
                {
                    nextDelay = Math.min(nextDelay, lingerMs - waited);
                }
            }
        }
        return new ReadyCheck(nodes, nextDelay, unknownLeader);
    }

    /**
     * Takes at most one ready batch per partition led by each of {@code nodes}, up to {@code maxRequestSize} bytes
     * per node. Taken batches count as in flight for their partition.
     */
    Map<Node, List<ProducerBatch>> drain(final Cluster cluster, final Set<Node> nodes, final int maxRequestSize,
        final long nowMs)
    {
        final Map<Node, List<ProducerBatch>> drained = new HashMap<>();
        final Map<Node, Integer> sizes = new HashMap<>();
        for (final Map.Entry<TopicPartition, PartitionQueue> entry : queues.entrySet())
        {
            final Node leader = cluster.leader(entry.getKey());
            if (leader == null || !nodes.contains(leader))
            {
                continue;
            }
            final PartitionQueue queue = entry.getValue();
            synchronized (queue)
            {
                final ProducerBatch first = queue.batches.peekFirst();
                if (first == null || queue.recovering || first.attempts > 0 && first.retryAfterMs > nowMs)
                {
                    continue;
                }
                final int size = sizes.getOrDefault(leader, 0);
                if (size > 0 && size + first.sizeInBytes() > maxRequestSize)
                {
                    continue;
                }
                queue.batches.pollFirst();
                queue.inFlight++;
                sizes.put(leader, size + first.sizeInBytes());
                drained.computeIfAbsent(leader, n -> new ArrayList<>()).add(first);
            }
        }
        return drained;
    }

    /** Fails batches that waited past {@code delivery.timeout.ms} without being sent. */
    List<ProducerBatch> expire(final long nowMs)
    {
        List<ProducerBatch> expired = List.of();
        for (final PartitionQueue queue : queues.values())
        {
            synchronized (queue)
            {
                // A queue holds its batches in creation order (retries go back in front, and they are the oldest),
                // so deadlines only grow along it: the scan stops at the first batch still in time instead of
                // walking every waiting batch (thousands with a full buffer) on each pass of the sender.
                ProducerBatch first;
                while ((first = queue.batches.peekFirst()) != null && nowMs >= first.deliveryDeadlineMs)
                {
                    if (expired.isEmpty())
                    {
                        expired = new ArrayList<>();
                    }
                    expired.add(queue.batches.pollFirst());
                }
            }
        }
        return expired;
    }

    /** Puts retried batches back at the front of their partition's queue, in sequence order. */
    void reenqueue(final PartitionQueue queue, final List<ProducerBatch> batches)
    {
        synchronized (queue)
        {
            for (int i = batches.size() - 1; i >= 0; i--)
            {
                queue.batches.addFirst(batches.get(i));
            }
        }
    }

    void deallocate(final ProducerBatch batch)
    {
        incomplete.remove(batch);
        pool.release(batch.builder(), batch.allocatedSize());
    }

    /** Fails every batch still waiting, for a producer closing without time left. */
    void abortAll(final SluiceException error)
    {
        for (final PartitionQueue queue : queues.values())
        {
            synchronized (queue)
            {
                for (final ProducerBatch batch : queue.batches)
                {
                    batch.fail(error);
                    deallocate(batch);
                }
                queue.batches.clear();
            }
        }
    }

    boolean hasIncomplete()
    {
        return !incomplete.isEmpty();
    }

    boolean hasUndrained()
    {
        for (final PartitionQueue queue : queues.values())
        {
            synchronized (queue)
            {
                if (!queue.batches.isEmpty())
                {
                    return true;
                }
            }
        }
        return false;
    }

    /** Every batch not yet acknowledged or failed, for flush() to wait on. */
    List<ProducerBatch> incompleteBatches()
    {
        return new ArrayList<>(incomplete);
    }

    void beginFlush()
    {
        flushesInProgress.incrementAndGet();
    }

    void endFlush()
    {
        flushesInProgress.decrementAndGet();
    }

    void beginClose()
    {
        closing = true;
    }
}

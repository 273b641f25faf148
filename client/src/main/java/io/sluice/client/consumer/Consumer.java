package io.sluice.client.consumer;

import io.sluice.client.internals.Cluster;
import io.sluice.client.internals.Metadata;
import io.sluice.client.internals.OffsetAndTimestamp;
import io.sluice.client.internals.OffsetLookup;
import io.sluice.client.network.NetworkClient;
import io.sluice.client.serialization.Deserializer;
import io.sluice.client.serialization.Serdes;
import io.sluice.common.TopicPartition;
import io.sluice.common.errors.ConfigException;
import io.sluice.common.errors.OffsetOutOfRangeException;
import io.sluice.common.errors.SluiceException;
import io.sluice.common.protocol.Errors;
import io.sluice.common.protocol.message.ListOffsetsRequest;
import io.sluice.common.record.RecordBatchReader;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.ConcurrentModificationException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads records from partitions assigned by hand ({@link #assign}). Single-threaded like Kafka's consumer: one
 * thread at a time, checked. {@link #poll} returns buffered records and keeps the next fetch in flight while the
 * application works; a partition without a position starts at {@code auto.offset.reset}.
 */
public final class Consumer<K, V> implements AutoCloseable
{
    private static final long NO_OWNER = -1;

    private final ConsumerConfig config;
    private final Deserializer<K> keyDeserializer;
    private final Deserializer<V> valueDeserializer;
    private final NetworkClient network;
    private final Metadata metadata;
    private final Fetcher fetcher;
    private final OffsetLookup offsets;
    private final Map<TopicPartition, PartitionState> assigned = new LinkedHashMap<>();
    private final RecordBatchReader reader = new RecordBatchReader();
    private final AtomicLong owner = new AtomicLong(NO_OWNER);
    private boolean closed;

    /** Position, pause flag and records already fetched but not yet returned, of one assigned partition. */
    private final class PartitionState
    {
        Long position;
        boolean paused;
        PartitionRecords<K, V> buffered;
        CompletedFetch bufferedFetch;
        final java.util.ArrayDeque<CompletedFetch> pending = new java.util.ArrayDeque<>();

        boolean hasBuffered()
        {
            return buffered != null && !buffered.isEmpty() || !pending.isEmpty();
        }

        /** Drops fetched data, after a seek or when the partition is unassigned. */
        void clear()
        {
            if (bufferedFetch != null)
            {
                fetcher.consumed(bufferedFetch);
            }
            buffered = null;
            bufferedFetch = null;
            pending.forEach(fetcher::consumed);
            pending.clear();
        }

        /** Makes the next answer that starts at the position the current one; drops answers that do not. */
        boolean promote()
        {
            while (!pending.isEmpty())
            {
                final CompletedFetch next = pending.poll();
                if (position != null && position == next.fetchOffset())
                {
                    buffered = new PartitionRecords<>(next.topicPartition(), next.records(), next.fetchOffset(),
                        reader, keyDeserializer, valueDeserializer);
                    bufferedFetch = next;
                    return true;
                }
                fetcher.consumed(next);
            }
            return false;
        }
    }

    public Consumer(final Map<String, ?> props, final Deserializer<K> keyDeserializer,
        final Deserializer<V> valueDeserializer)
    {
        this.config = new ConsumerConfig(props);
        this.keyDeserializer = keyDeserializer != null ? keyDeserializer
            : deserializer(ConsumerConfig.KEY_DESERIALIZER, config.keyDeserializer);
        this.valueDeserializer = valueDeserializer != null ? valueDeserializer
            : deserializer(ConsumerConfig.VALUE_DESERIALIZER, config.valueDeserializer);
        this.network = config.common.newNetworkClient();
        this.metadata = config.common.newMetadata(network);
        this.fetcher = new Fetcher(network, config);
        this.offsets = new OffsetLookup(network, metadata);
    }

    public Consumer(final Map<String, ?> props)
    {
        this(props, null, null);
    }

    private static <T> Deserializer<T> deserializer(final String key, final String className)
    {
        if (className == null)
        {
            throw new ConfigException("Missing configuration " + key + ": pass a deserializer or name its class");
        }
        return Serdes.instantiate(key, className, Deserializer.class);
    }

    private void acquire()
    {
        final long thread = Thread.currentThread().getId();
        if (owner.get() != thread && !owner.compareAndSet(NO_OWNER, thread))
        {
            throw new ConcurrentModificationException("The consumer is not safe for use by several threads at once");
        }
        if (closed)
        {
            owner.set(NO_OWNER);
            throw new IllegalStateException("The consumer is closed");
        }
    }

    private void release()
    {
        owner.set(NO_OWNER);
    }

    /** Reads exactly these partitions from now on; positions of partitions kept stay. */
    public void assign(final Collection<TopicPartition> partitions)
    {
        acquire();
        try
        {
            final Set<TopicPartition> keep = new HashSet<>(partitions);
            assigned.forEach((tp, state) ->
            {
                if (!keep.contains(tp))
                {
                    state.clear();
                }
            });
            assigned.keySet().retainAll(keep);
            for (final TopicPartition tp : partitions)
            {
                assigned.computeIfAbsent(tp, k -> new PartitionState());
            }
        }
        finally
        {
            release();
        }
    }

    public Set<TopicPartition> assignment()
    {
        return Set.copyOf(assigned.keySet());
    }

    private PartitionState state(final TopicPartition tp)
    {
        final PartitionState state = assigned.get(tp);
        if (state == null)
        {
            throw new IllegalStateException("Partition " + tp + " is not assigned to this consumer");
        }
        return state;
    }

    /** The next poll returns records from {@code offset} of {@code tp}. */
    public void seek(final TopicPartition tp, final long offset)
    {
        if (offset < 0)
        {
            throw new IllegalArgumentException("Offset must not be negative: " + offset);
        }
        acquire();
        try
        {
            final PartitionState state = state(tp);
            state.position = offset;
            state.clear();
        }
        finally
        {
            release();
        }
    }

    public void seekToBeginning(final Collection<TopicPartition> partitions)
    {
        seekTo(partitions, ListOffsetsRequest.EARLIEST_TIMESTAMP);
    }

    public void seekToEnd(final Collection<TopicPartition> partitions)
    {
        seekTo(partitions, ListOffsetsRequest.LATEST_TIMESTAMP);
    }

    private void seekTo(final Collection<TopicPartition> partitions, final long timestamp)
    {
        final Map<TopicPartition, Long> request = new HashMap<>();
        partitions.forEach(tp -> request.put(tp, timestamp));
        final Map<TopicPartition, OffsetAndTimestamp> found = offsets.lookup(request, config.common.defaultApiTimeoutMs());
        found.forEach((tp, result) -> seek(tp, result.offset()));
    }

    /** The offset of the next record poll will return for {@code tp}, resolving it if unknown. */
    public long position(final TopicPartition tp)
    {
        acquire();
        try
        {
            final PartitionState state = state(tp);
            if (state.position == null)
            {
                resetPositions(config.common.defaultApiTimeoutMs());
            }
            return state.position;
        }
        finally
        {
            release();
        }
    }

    public void pause(final Collection<TopicPartition> partitions)
    {
        partitions.forEach(tp -> state(tp).paused = true);
    }

    public void resume(final Collection<TopicPartition> partitions)
    {
        partitions.forEach(tp -> state(tp).paused = false);
    }

    public Set<TopicPartition> paused()
    {
        final Set<TopicPartition> paused = new HashSet<>();
        assigned.forEach((tp, s) ->
        {
            if (s.paused)
            {
                paused.add(tp);
            }
        });
        return paused;
    }

    /** The first offset of each partition. */
    public Map<TopicPartition, Long> beginningOffsets(final Collection<TopicPartition> partitions)
    {
        return listOffsets(partitions, ListOffsetsRequest.EARLIEST_TIMESTAMP);
    }

    /** The offset after the last readable record of each partition (the high watermark). */
    public Map<TopicPartition, Long> endOffsets(final Collection<TopicPartition> partitions)
    {
        return listOffsets(partitions, ListOffsetsRequest.LATEST_TIMESTAMP);
    }

    /** For each partition, the first record at or after the timestamp, or null if there is none. */
    public Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(final Map<TopicPartition, Long> timestamps)
    {
        final Map<TopicPartition, OffsetAndTimestamp> found = new HashMap<>(offsets.lookup(timestamps,
            config.common.defaultApiTimeoutMs()));
        found.replaceAll((tp, r) -> r.offset() < 0 ? null : r);
        return found;
    }

    private Map<TopicPartition, Long> listOffsets(final Collection<TopicPartition> partitions, final long timestamp)
    {
        final Map<TopicPartition, Long> request = new HashMap<>();
        partitions.forEach(tp -> request.put(tp, timestamp));
        final Map<TopicPartition, Long> result = new HashMap<>();
        offsets.lookup(request, config.common.defaultApiTimeoutMs()).forEach((tp, r) -> result.put(tp, r.offset()));
        return result;
    }

    /**
     * Returns records fetched for the assigned partitions, waiting up to {@code timeout} when none are buffered.
     *
     * @throws OffsetOutOfRangeException if a position is out of range and {@code auto.offset.reset} is none.
     */
    public ConsumerRecords<K, V> poll(final Duration timeout)
    {
        acquire();
        try
        {
            final long deadline = System.nanoTime() + timeout.toNanos();
            do
            {
                if (assigned.isEmpty())
                {
                    throw new IllegalStateException("Consumer is not assigned any partitions");
                }
                resetPositions(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                drainCompleted(0);
                final ConsumerRecords<K, V> records = collect();
                sendFetches();
                if (!records.isEmpty())
                {
                    return records;
                }
                final long remaining = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                drainCompleted(Math.max(0, remaining));
            }
            while (System.nanoTime() < deadline);
            final ConsumerRecords<K, V> records = collect();
            sendFetches();
            return records;
        }
        finally
        {
            release();
        }
    }

    private void sendFetches()
    {
        if (fetcher.takeMetadataStale() || metadata.isStale())
        {
            final List<String> topics = new ArrayList<>();
            assigned.keySet().forEach(tp ->
            {
                if (!topics.contains(tp.topic()))
                {
                    topics.add(tp.topic());
                }
            });
            metadata.refresh(topics, false);
        }
        final Cluster cluster = metadata.cluster();
        final Set<TopicPartition> wanted = new HashSet<>();
        assigned.forEach((tp, state) ->
        {
            if (!state.paused)
            {
                wanted.add(tp);
            }
        });
        fetcher.setFetchable(wanted);
        final Map<TopicPartition, Long> fetchable = new LinkedHashMap<>();
        assigned.forEach((tp, state) ->
        {
            if (!state.paused && state.position != null && !state.hasBuffered())
            {
                fetchable.put(tp, state.position);
            }
        });
        if (!fetchable.isEmpty())
        {
            // While records wait in buffers the application is busy: a fetch parked at the broker for idle
            // partitions would only hold up the next fetch for the busy ones, so do not let the broker wait.
            boolean buffered = false;
            for (final PartitionState state : assigned.values())
            {
                buffered |= state.hasBuffered();
            }
            fetcher.sendFetches(cluster, fetchable, buffered ? 0 : config.fetchMaxWaitMs);
        }
    }

    private void drainCompleted(final long waitMs)
    {
        try
        {
            CompletedFetch fetch = fetcher.poll(waitMs);
            while (fetch != null)
            {
                apply(fetch);
                fetch = fetcher.poll(0);
            }
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new SluiceException("Interrupted while polling");
        }
    }

    private void apply(final CompletedFetch fetch)
    {
        final PartitionState state = assigned.get(fetch.topicPartition());
        if (state == null)
        {
            fetcher.consumed(fetch);
            return;
        }
        if (fetch.error() != Errors.NONE && (state.position == null || state.position != fetch.fetchOffset()))
        {
            // An error for a position the application has since moved away from.
            return;
        }
        if (fetch.error() == Errors.NONE)
        {
            state.pending.add(fetch);
            return;
        }
        if (fetch.error() == Errors.OFFSET_OUT_OF_RANGE)
        {
            if ("none".equals(config.autoOffsetReset))
            {
                throw new OffsetOutOfRangeException("Offset " + fetch.fetchOffset() + " of " + fetch.topicPartition()
                    + " is out of range and auto.offset.reset is none");
            }
            state.position = null;
            return;
        }
        if (fetch.error() == Errors.CORRUPT_MESSAGE)
        {
            throw fetch.failure();
        }
        // Retriable: leader moved, broker unreachable. The next fetch goes out after a metadata refresh.
        if (!fetch.error().isRetriable() && fetch.error() != Errors.NETWORK_EXCEPTION)
        {
            throw fetch.failure();
        }
        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(config.common.retryBackoffMs()));
    }

    private ConsumerRecords<K, V> collect()
    {
        final Map<TopicPartition, List<ConsumerRecord<K, V>>> out = new LinkedHashMap<>();
        int budget = config.maxPollRecords;
        for (final Map.Entry<TopicPartition, PartitionState> entry : assigned.entrySet())
        {
            final PartitionState state = entry.getValue();
            if (state.paused || budget == 0)
            {
                continue;
            }
            List<ConsumerRecord<K, V>> list = null;
            while (budget > 0 && (state.buffered != null || state.promote()))
            {
                ConsumerRecord<K, V> record;
                while (budget > 0 && (record = state.buffered.next()) != null)
                {
                    if (list == null)
                    {
                        list = new ArrayList<>(Math.min(budget, 512));
                    }
                    list.add(record);
                    state.position = record.offset() + 1;
                    budget--;
                }
                if (!state.buffered.isEmpty())
                {
                    break;
                }
                // Batches can end with offsets compaction removed; the next fetch starts after them.
                state.position = Math.max(state.position, state.buffered.nextOffset());
                fetcher.consumed(state.bufferedFetch);
                state.buffered = null;
                state.bufferedFetch = null;
            }
            if (list != null)
            {
                out.put(entry.getKey(), list);
            }
        }
        return new ConsumerRecords<>(out);
    }

    private void resetPositions(final long timeoutMs)
    {
        final Map<TopicPartition, Long> request = new HashMap<>();
        assigned.forEach((tp, state) ->
        {
            if (state.position == null)
            {
                if ("none".equals(config.autoOffsetReset))
                {
                    throw new OffsetOutOfRangeException("No position for " + tp
                        + " and auto.offset.reset is none: seek first");
                }
                request.put(tp, "earliest".equals(config.autoOffsetReset) ? ListOffsetsRequest.EARLIEST_TIMESTAMP
                    : ListOffsetsRequest.LATEST_TIMESTAMP);
            }
        });
        if (request.isEmpty())
        {
            return;
        }
        offsets.lookup(request, timeoutMs).forEach((tp, r) ->
        {
            final PartitionState state = assigned.get(tp);
            if (state != null && state.position == null)
            {
                state.position = r.offset();
            }
        });
    }

    @Override
    public void close()
    {
        acquire();
        try
        {
            closed = true;
            network.close();
        }
        finally
        {
            release();
        }
    }
}

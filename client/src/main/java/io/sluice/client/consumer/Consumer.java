package io.sluice.client.consumer;

import io.sluice.client.internals.Cluster;
import io.sluice.client.internals.GroupClient;
import io.sluice.client.internals.Metadata;
import io.sluice.client.internals.OffsetAndTimestamp;
import io.sluice.client.internals.OffsetLookup;
import io.sluice.client.network.NetworkClient;
import io.sluice.client.serialization.Deserializer;
import io.sluice.client.serialization.Serdes;
import io.sluice.common.TopicPartition;
import io.sluice.common.errors.CommitFailedException;
import io.sluice.common.errors.ConfigException;
import io.sluice.common.errors.NoOffsetForPartitionException;
import io.sluice.common.errors.OffsetOutOfRangeException;
import io.sluice.common.errors.SluiceException;
import io.sluice.common.protocol.ApiKeys;
import io.sluice.common.protocol.Errors;
import io.sluice.common.protocol.message.ListOffsetsRequest;
import io.sluice.common.protocol.message.OffsetCommitRequest;
import io.sluice.common.protocol.message.OffsetFetchRequest;
import io.sluice.common.protocol.message.OffsetFetchResponse;
import io.sluice.common.protocol.message.PartitionErrorsResponse;
import io.sluice.common.protocol.message.TopicPartitionsData;

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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Reads records from partitions assigned by hand ({@link #assign}) or by its group ({@link #subscribe}, with
 * {@code group.id}). Single-threaded like Kafka's consumer: one thread at a time, checked. {@link #poll} returns
 * buffered records and keeps the next fetch in flight while the application works; it also applies the group's
 * assignment (revoking before releasing, through the rebalance listener) and commits automatically if enabled. A
 * partition starts at its committed offset, or at {@code auto.offset.reset} without one.
 */
public final class Consumer<K, V> implements AutoCloseable
{
    private static final long NO_OWNER = -1;
    /** Least time poll gives a position lookup, so a short poll timeout cannot starve it. */
    private static final long MIN_POSITION_WAIT_MS = 500;

    private final ConsumerConfig config;
    private final Deserializer<K> keyDeserializer;
    private final Deserializer<V> valueDeserializer;
    private final NetworkClient network;
    private final Metadata metadata;
    private final Fetcher fetcher;
    private final OffsetLookup offsets;
    private final Map<TopicPartition, PartitionState> assigned = new LinkedHashMap<>();
    private final AtomicLong owner = new AtomicLong(NO_OWNER);
    private final GroupClient groups;
    private final ConcurrentLinkedQueue<Runnable> commitCallbacks = new ConcurrentLinkedQueue<>();
    private final AsyncCommits asyncCommits = new AsyncCommits(this::sendCommit, commitCallbacks);
    private GroupMembership membership;
    private ConsumerRebalanceListener listener = ConsumerRebalanceListener.NOOP;
    private long nextAutoCommitNanos;
    private boolean closed;
    private int depth;

    /** Position, pause flag and records already fetched but not yet returned, of one assigned partition. */
    private final class PartitionState
    {
        final TopicPartition topicPartition;
        Long position;
        boolean paused;
        PartitionRecords<K, V> buffered;
        CompletedFetch bufferedFetch;
        final java.util.ArrayDeque<CompletedFetch> pending = new java.util.ArrayDeque<>();

        boolean hasBuffered()
        {
            return buffered != null && !buffered.isEmpty() || !pending.isEmpty();
        }

        PartitionState(final TopicPartition topicPartition)
        {
            this.topicPartition = topicPartition;
        }

        /** Drops fetched data, after a seek or when the partition is unassigned. */
        void clear()
        {
            fetcher.stopFetchingAhead(topicPartition);
            if (bufferedFetch != null)
            {
                fetcher.consumed(bufferedFetch);
            }
            buffered = null;
            bufferedFetch = null;
            pending.forEach(fetcher::consumed);
            pending.clear();
        }

        /**
         * Makes the next answer that holds the position the current one, skipping its records below the position
         * (the answer to a second fetch from an earlier offset: poll can send one while the I/O thread is still
         * queueing the first answer). Drops answers that start past the position (fetched before a seek back), and
         * stops any fetch ahead chained to them.
         */
        boolean promote()
        {
            while (!pending.isEmpty())
            {
                final CompletedFetch next = pending.poll();
                if (position != null && next.fetchOffset() <= position)
                {
                    buffered = new PartitionRecords<>(next.topicPartition(), next.decoded(), position,
                        keyDeserializer, valueDeserializer);
                    bufferedFetch = next;
                    return true;
                }
                fetcher.consumed(next);
                fetcher.stopFetchingAhead(topicPartition);
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
        this.offsets = new OffsetLookup(network, metadata, config.common.retryBackoffMs());
        this.groups = new GroupClient(network, metadata, config.common.retryBackoffMs());
        this.nextAutoCommitNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.autoCommitIntervalMs);
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
            if (depth == 0)
            {
                owner.set(NO_OWNER);
            }
            throw new IllegalStateException("The consumer is closed");
        }
        depth++;
    }

    /** Ends an {@link #acquire}; calls nest (poll commits before revoking), and only the outermost lets go. */
    private void release()
    {
        if (--depth == 0)
        {
            owner.set(NO_OWNER);
        }
    }

    /** Reads exactly these partitions from now on; positions of partitions kept stay. */
    public void assign(final Collection<TopicPartition> partitions)
    {
        acquire();
        try
        {
            if (membership != null)
            {
                throw new IllegalStateException("The consumer is subscribed to a group; unsubscribe before assign");
            }
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
                assigned.computeIfAbsent(tp, PartitionState::new);
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

    /** Joins {@code group.id} reading these topics; the group splits their partitions among its members. */
    public void subscribe(final Collection<String> topics, final ConsumerRebalanceListener listener)
    {
        if (topics.isEmpty())
        {
            unsubscribe();
            return;
        }
        subscribe(List.copyOf(topics), null, listener);
    }

    public void subscribe(final Collection<String> topics)
    {
        subscribe(topics, ConsumerRebalanceListener.NOOP);
    }

    /** Joins {@code group.id} reading every topic whose whole name matches {@code pattern}, now or later. */
    public void subscribe(final Pattern pattern, final ConsumerRebalanceListener listener)
    {
        subscribe(List.of(), pattern.pattern(), listener);
    }

    public void subscribe(final Pattern pattern)
    {
        subscribe(pattern, ConsumerRebalanceListener.NOOP);
    }

    private void subscribe(final List<String> topics, final String regex, final ConsumerRebalanceListener listener)
    {
        acquire();
        try
        {
            if (config.groupId == null || config.groupId.isEmpty())
            {
                throw new ConfigException("subscribe needs a group.id; use assign to read without a group");
            }
            if (membership == null && !assigned.isEmpty())
            {
                throw new IllegalStateException("The consumer has partitions assigned by hand; assign an empty "
                    + "list before subscribe");
            }
            this.listener = listener == null ? ConsumerRebalanceListener.NOOP : listener;
            if (membership == null)
            {
                membership = new GroupMembership(config.groupId, groups, network.eventLoop(),
                    config.maxPollIntervalMs, config.common.retryBackoffMs(), config.common.requestTimeoutMs(),
                    fetcher::wakeup);
            }
            membership.subscribe(topics, regex);
        }
        finally
        {
            release();
        }
    }

    /** Leaves the group: partitions are revoked (committing first with auto-commit) and the member leaves. */
    public void unsubscribe()
    {
        acquire();
        try
        {
            if (membership == null)
            {
                assign(List.of());
                return;
            }
            revokeAll();
            membership.leave(config.common.defaultApiTimeoutMs());
            membership = null;
        }
        finally
        {
            release();
        }
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
            runCommitCallbacks();
            if (membership != null)
            {
                membership.onPoll();
            }
            maybeAutoCommit();
            do
            {
                if (membership != null)
                {
                    reconcile();
                    if (assigned.isEmpty())
                    {
                        drainCompleted(Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                        continue;
                    }
                }
                else if (assigned.isEmpty())
                {
                    throw new IllegalStateException("Consumer is not assigned any partitions and not subscribed");
                }
                if (!resetPositionsQuietly(TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())))
                {
                    continue;
                }
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
        if (fetch.topicPartition() == null)
        {
            return;
        }
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
                long next = -1;
                try
                {
                    while (budget > 0 && (record = state.buffered.next()) != null)
                    {
                        if (list == null)
                        {
                            // A poll of a few records (the end of a fetch) gets a list of that size, not one of
                            // max.poll.records slots per partition.
                            list = new ArrayList<>(Math.min(budget, state.buffered.remaining() + 1));
                        }
                        list.add(record);
                        next = record.offset() + 1;
                        budget--;
                    }
                }
                catch (final SluiceException e)
                {
                    // A corrupt batch or a record the deserializers refuse. The position stays at it and the
                    // fetched data goes, so the next poll fetches it again (a batch corrupted in transit comes back
                    // whole) or fails on it again. Records already taken in this poll are returned first.
                    state.clear();
                    if (list == null && out.isEmpty())
                    {
                        throw e;
                    }
                    budget = 0;
                    break;
                }
                finally
                {
                    if (next >= 0)
                    {
                        // Once per batch, not per record: the position is a boxed Long (null until known).
                        state.position = next;
                    }
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
        // As Kafka's consumer does: partitions that just returned records go last, so when max.poll.records cuts
        // a poll short, the next one starts with the others instead of the same busy partition.
        for (final TopicPartition tp : out.keySet())
        {
            assigned.put(tp, assigned.remove(tp));
        }
        return new ConsumerRecords<>(out);
    }

    /**
     * Resolves missing positions within poll: waits at least long enough for one request, and treats a timeout or
     * a retriable error (a topic so new that its leader is not known yet) as "not yet" rather than failing poll.
     * Returns false if some position is still missing.
     */
    private boolean resetPositionsQuietly(final long remainingMs)
    {
        try
        {
            resetPositions(Math.max(remainingMs, MIN_POSITION_WAIT_MS));
            return true;
        }
        catch (final io.sluice.common.errors.RetriableException e)
        {
            return false;
        }
        catch (final io.sluice.common.errors.ApiException e)
        {
            if (!e.isRetriable())
            {
                throw e;
            }
            final List<String> topics = new ArrayList<>();
            assigned.keySet().forEach(tp ->
            {
                if (!topics.contains(tp.topic()))
                {
                    topics.add(tp.topic());
                }
            });
            metadata.refresh(topics, false);
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(
                config.common.retryBackoffMs()));
            return false;
        }
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
                    throw new NoOffsetForPartitionException("No committed offset or position for " + tp
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
            try
            {
                if (membership != null)
                {
                    revokeAll();
                    membership.leave(config.common.defaultApiTimeoutMs());
                }
                else if (autoCommits() && !assigned.isEmpty())
                {
                    commitPositionsQuietly(assigned.keySet());
                }
                runCommitCallbacks();
            }
            finally
            {
                closed = true;
                network.close();
            }
        }
        finally
        {
            release();
        }
    }

    // ---- group assignment ----

    /** Applies the group's latest assignment: lost and revoked partitions first, then new ones. */
    private void reconcile()
    {
        final io.sluice.common.errors.SluiceException fatal = membership.fatalError();
        if (fatal != null)
        {
            throw fatal;
        }
        boolean changed = false;
        if (membership.takeLost() && !assigned.isEmpty())
        {
            final Set<TopicPartition> lost = Set.copyOf(assigned.keySet());
            assigned.values().forEach(PartitionState::clear);
            assigned.clear();
            listener.onPartitionsLost(lost);
            changed = true;
        }
        final Set<TopicPartition> target = membership.beginReconcile();
        if (target == null)
        {
            if (changed)
            {
                membership.ackOwned(Set.of());
            }
            else
            {
                membership.endReconcile();
            }
            return;
        }
        final Set<TopicPartition> revoked = new HashSet<>(assigned.keySet());
        revoked.removeAll(target);
        if (!revoked.isEmpty())
        {
            revoke(revoked);
            changed = true;
        }
        final List<TopicPartition> added = new ArrayList<>();
        for (final TopicPartition tp : target)
        {
            if (!assigned.containsKey(tp))
            {
                added.add(tp);
            }
        }
        if (!added.isEmpty())
        {
            added.sort(java.util.Comparator.comparing(TopicPartition::topic).thenComparingInt(
                TopicPartition::partition));
            final Map<TopicPartition, OffsetAndMetadata> committed = committed(Set.copyOf(added));
            for (final TopicPartition tp : added)
            {
                final PartitionState state = new PartitionState(tp);
                final OffsetAndMetadata offset = committed.get(tp);
                state.position = offset == null ? null : offset.offset();
                assigned.put(tp, state);
            }
            listener.onPartitionsAssigned(added);
            changed = true;
        }
        if (changed)
        {
            membership.ackOwned(assigned.keySet());
        }
        else
        {
            membership.endReconcile();
        }
    }

    private void revoke(final Set<TopicPartition> revoked)
    {
        if (autoCommits())
        {
            commitPositionsQuietly(revoked);
        }
        listener.onPartitionsRevoked(revoked);
        for (final TopicPartition tp : revoked)
        {
            final PartitionState state = assigned.remove(tp);
            if (state != null)
            {
                state.clear();
            }
        }
    }

    private void revokeAll()
    {
        if (!assigned.isEmpty())
        {
            revoke(Set.copyOf(assigned.keySet()));
        }
    }

    // ---- committing ----

    private boolean autoCommits()
    {
        return config.enableAutoCommit && config.groupId != null && !config.groupId.isEmpty();
    }

    private void maybeAutoCommit()
    {
        if (!autoCommits() || assigned.isEmpty() || System.nanoTime() < nextAutoCommitNanos)
        {
            return;
        }
        nextAutoCommitNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.autoCommitIntervalMs);
        final Map<TopicPartition, OffsetAndMetadata> positions = positions(assigned.keySet());
        if (!positions.isEmpty())
        {
            asyncCommits.commit(positions, (offsets, e) ->
            {
                if (e != null)
                {
                    org.slf4j.LoggerFactory.getLogger(Consumer.class).warn("Auto-commit of group {} failed: {}",
                        config.groupId, e.getMessage());
                }
            });
        }
    }

    /** Commits the positions of {@code partitions} before they are revoked; a failure is logged, not thrown. */
    private void commitPositionsQuietly(final Collection<TopicPartition> partitions)
    {
        final Map<TopicPartition, OffsetAndMetadata> positions = positions(partitions);
        if (positions.isEmpty())
        {
            return;
        }
        try
        {
            commitSync(positions);
        }
        catch (final RuntimeException e)
        {
            org.slf4j.LoggerFactory.getLogger(Consumer.class).warn("Could not commit the positions of {} for group "
                + "{}: {}", partitions, config.groupId, e.getMessage());
        }
    }

    private Map<TopicPartition, OffsetAndMetadata> positions(final Collection<TopicPartition> partitions)
    {
        final Map<TopicPartition, OffsetAndMetadata> positions = new HashMap<>();
        for (final TopicPartition tp : partitions)
        {
            final PartitionState state = assigned.get(tp);
            if (state != null && state.position != null)
            {
                positions.put(tp, new OffsetAndMetadata(state.position));
            }
        }
        return positions;
    }

    /** Commits the position of every owned partition, waiting for the group to store it. */
    public void commitSync()
    {
        acquire();
        try
        {
            final Map<TopicPartition, OffsetAndMetadata> positions = positions(assigned.keySet());
            if (!positions.isEmpty())
            {
                commitSync(positions);
            }
        }
        finally
        {
            release();
        }
    }

    /**
     * Commits these offsets (each the next record to read), waiting for the group to store them.
     *
     * @throws CommitFailedException if the group refused them: the member was fenced or no longer owns a partition.
     */
    public void commitSync(final Map<TopicPartition, OffsetAndMetadata> offsets)
    {
        acquire();
        try
        {
            runCommitCallbacks();
            // Asynchronous commits still queued are older: they go in this request, overridden by these offsets.
            final AsyncCommits.Batch queued = asyncCommits.takeQueued();
            final Map<TopicPartition, OffsetAndMetadata> merged = new HashMap<>(queued.offsets());
            merged.putAll(offsets);
            try
            {
                io.sluice.client.internals.Futures.await(sendCommit(merged), config.common.defaultApiTimeoutMs()
                    + config.common.retryBackoffMs(), "Commit of group " + config.groupId);
                queued.complete(null, commitCallbacks);
            }
            catch (final RuntimeException e)
            {
                queued.complete(e, commitCallbacks);
                throw e;
            }
        }
        finally
        {
            release();
        }
    }

    /** Commits every owned partition's position without waiting; {@code callback} runs in a later poll. */
    public void commitAsync(final OffsetCommitCallback callback)
    {
        acquire();
        try
        {
            commitAsync(positions(assigned.keySet()), callback);
        }
        finally
        {
            release();
        }
    }

    public void commitAsync()
    {
        commitAsync((OffsetCommitCallback)null);
    }

    public void commitAsync(final Map<TopicPartition, OffsetAndMetadata> offsets, final OffsetCommitCallback callback)
    {
        acquire();
        try
        {
            final Map<TopicPartition, OffsetAndMetadata> copy = Map.copyOf(offsets);
            if (copy.isEmpty())
            {
                if (callback != null)
                {
                    commitCallbacks.add(() -> callback.onComplete(copy, null));
                }
                return;
            }
            asyncCommits.commit(copy, callback);
        }
        finally
        {
            release();
        }
    }

    private void runCommitCallbacks()
    {
        Runnable callback;
        while ((callback = commitCallbacks.poll()) != null)
        {
            callback.run();
        }
    }

    /** Sends a commit as the member (or, without a subscription, as a client outside the group). */
    private CompletableFuture<Void> sendCommit(final Map<TopicPartition, OffsetAndMetadata> offsets)
    {
        return sendCommit(offsets, true);
    }

    /**
     * A heartbeat can move the member's epoch while a commit is on its way; the coordinator then answers
     * STALE_MEMBER_EPOCH and the commit is sent once more with the new epoch (ownership is still checked).
     */
    private CompletableFuture<Void> sendCommit(final Map<TopicPartition, OffsetAndMetadata> offsets,
        final boolean retryStaleEpoch)
    {
        final String groupId = requireGroupId();
        final Map<String, List<OffsetCommitRequest.PartitionData>> byTopic = new LinkedHashMap<>();
        offsets.forEach((tp, o) -> byTopic.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).add(
            new OffsetCommitRequest.PartitionData(tp.partition(), o.offset(), -1, o.metadata())));
        final List<OffsetCommitRequest.TopicData> topics = new ArrayList<>();
        byTopic.forEach((topic, partitions) -> topics.add(new OffsetCommitRequest.TopicData(topic, partitions)));
        final GroupMembership member = membership;
        final String memberId = member == null ? "" : member.memberId();
        final int epoch = member == null ? -1 : member.memberEpoch();
        final OffsetCommitRequest request = new OffsetCommitRequest(groupId, memberId, epoch, topics);
        return groups.send(groupId, ApiKeys.OFFSET_COMMIT, request, PartitionErrorsResponse::read,
            PartitionErrorsResponse::errorCode, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(
                config.common.defaultApiTimeoutMs())).thenCompose(response ->
                {
                    Errors error = Errors.forCode(response.errorCode());
                    String where = "group " + groupId;
                    for (final PartitionErrorsResponse.TopicData topic : response.topics())
                    {
                        for (final PartitionErrorsResponse.PartitionError p : topic.partitions())
                        {
                            if (error == Errors.NONE && p.errorCode() != Errors.NONE.code())
                            {
                                error = Errors.forCode(p.errorCode());
                                where = topic.name() + "-" + p.partition();
                            }
                        }
                    }
                    if (error == Errors.NONE)
                    {
                        return CompletableFuture.completedFuture(null);
                    }
                    if (error == Errors.STALE_MEMBER_EPOCH && retryStaleEpoch && member != null
                        && member.memberEpoch() != epoch)
                    {
                        return sendCommit(offsets, false);
                    }
                    switch (error)
                    {
                        case UNKNOWN_MEMBER_ID:
                        case FENCED_MEMBER_EPOCH:
                        case STALE_MEMBER_EPOCH:
                        case PARTITION_NOT_OWNED:
                        case GROUP_ID_NOT_FOUND:
                        case NON_EMPTY_GROUP:
                            throw new CommitFailedException("Commit for " + where + " refused (" + error + "): "
                                + error.message() + " Records processed since the last commit may be processed "
                                + "again by the partition's next owner.");
                        default:
                            throw error.exception("Commit for " + where + " failed");
                    }
                });
    }

    /** The offsets the group last committed for these partitions; a partition without one maps to null. */
    public Map<TopicPartition, OffsetAndMetadata> committed(final Set<TopicPartition> partitions)
    {
        final String groupId = requireGroupId();
        final OffsetFetchResponse response = groups.call(groupId, ApiKeys.OFFSET_FETCH, new OffsetFetchRequest(
            groupId, null, -1, TopicPartitionsData.of(partitions)), OffsetFetchResponse::read,
            OffsetFetchResponse::errorCode, config.common.defaultApiTimeoutMs());
        final Errors error = Errors.forCode(response.errorCode());
        if (error != Errors.NONE)
        {
            throw error.exception("Reading the committed offsets of group " + groupId);
        }
        final Map<TopicPartition, OffsetAndMetadata> result = new HashMap<>();
        for (final OffsetFetchResponse.PartitionOffset p : response.offsets())
        {
            if (p.offset() >= 0)
            {
                result.put(new TopicPartition(p.topic(), p.partition()), new OffsetAndMetadata(p.offset(),
                    p.metadata()));
            }
        }
        return result;
    }

    private String requireGroupId()
    {
        if (config.groupId == null || config.groupId.isEmpty())
        {
            throw new ConfigException("Committed offsets belong to a group: set group.id");
        }
        return config.groupId;
    }
}

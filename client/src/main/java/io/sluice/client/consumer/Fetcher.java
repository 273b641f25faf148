package io.sluice.client.consumer;

import io.sluice.client.internals.Cluster;
import io.sluice.client.internals.Futures;
import io.sluice.client.internals.Node;
import io.sluice.client.internals.PartitionInfo;
import io.sluice.client.network.NetworkClient;
import io.sluice.common.TopicPartition;
import io.sluice.common.errors.SluiceException;
import io.sluice.common.protocol.ApiKeys;
import io.sluice.common.protocol.Errors;
import io.sluice.common.protocol.MemoryRecordSet;
import io.sluice.common.protocol.message.FetchRequest;
import io.sluice.common.protocol.message.FetchResponse;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.nio.ByteBuffer;
import io.sluice.common.record.RecordBatch;
import io.sluice.common.record.RecordBatchReader;

/**
 * Sends fetches (one in flight per broker) and queues each partition's answer, already split into records, as a
 * {@link CompletedFetch} for the consumer's {@code poll}, so the next fetch travels and the answer is decoded while
 * the application processes the last one.
 */
final class Fetcher
{
    private final NetworkClient network;
    private final ConsumerConfig config;
    private final LinkedBlockingQueue<CompletedFetch> completed = new LinkedBlockingQueue<>();
    private final Set<Node> inFlight = ConcurrentHashMap.newKeySet();
    private final Map<TopicPartition, AtomicInteger> outstanding = new ConcurrentHashMap<>();
    private volatile Set<TopicPartition> fetchable = Set.of();
    private volatile Cluster lastCluster = Cluster.EMPTY;
    private volatile boolean metadataStale;
    private final AtomicReference<SluiceException> handlingFailure = new AtomicReference<>();
    /** Partitions whose fetch ahead must not be renewed: poll moved their position or dropped their answer. */
    private final Set<TopicPartition> stopAhead = ConcurrentHashMap.newKeySet();

    /** Most completed fetches waiting for poll before the I/O thread stops fetching ahead. */
    private static final int MAX_QUEUED = 64;

    /**
     * Answers are decoded on the thread that completes the fetch: the I/O thread, or the consumer's own thread when
     * an answer is complete before the callback is attached, hence a reader per thread.
     */
    private final ThreadLocal<RecordBatchReader> readers = ThreadLocal.withInitial(RecordBatchReader::new);

    Fetcher(final NetworkClient network, final ConsumerConfig config)
    {
        this.network = network;
        this.config = config;
    }

    /** Sends a fetch to every broker leading a fetchable partition and having no fetch in flight. */
    void sendFetches(final Cluster cluster, final Map<TopicPartition, Long> positions, final int maxWaitMs)
    {
        lastCluster = cluster;
        final Map<Node, Map<String, List<FetchRequest.PartitionData>>> byNode = new LinkedHashMap<>();
        for (final Map.Entry<TopicPartition, Long> entry : positions.entrySet())
        {
            final TopicPartition tp = entry.getKey();
            final PartitionInfo info = cluster.partition(tp);
            final Node leader = cluster.leader(tp);
            if (info == null || leader == null)
            {
                metadataStale = true;
                continue;
            }
            if (inFlight.contains(leader))
            {
                continue;
            }
            byNode.computeIfAbsent(leader, n -> new LinkedHashMap<>()).computeIfAbsent(tp.topic(),
                t -> new ArrayList<>()).add(new FetchRequest.PartitionData(tp.partition(), info.leaderEpoch(),
                entry.getValue(), -1L, config.maxPartitionFetchBytes));
        }
        for (final Map.Entry<Node, Map<String, List<FetchRequest.PartitionData>>> entry : byNode.entrySet())
        {
            final List<FetchRequest.TopicData> topics = new ArrayList<>();
            entry.getValue().forEach((topic, partitions) -> topics.add(new FetchRequest.TopicData(topic, partitions)));
            send(entry.getKey(), new FetchRequest(FetchRequest.CONSUMER_REPLICA_ID, maxWaitMs, config.fetchMinBytes,
                config.fetchMaxBytes, (byte)0, topics));
        }
    }

    private void send(final Node node, final FetchRequest request)
    {
        inFlight.add(node);
        network.send(node.host(), node.port(), ApiKeys.FETCH, request, FetchResponse::read)
            .whenComplete((response, error) ->
            {
                try
                {
                    onAnswer(node, request, response, error);
                }
                catch (final RuntimeException e)
                {
                    // Thrown here it would vanish in the future and leave the node marked busy: no fetch would
                    // ever go to it again. Poll rethrows it; positions did not move, so fetching can resume.
                    handlingFailure.set(new SluiceException("Handling a fetch answer from broker " + node.id()
                        + " failed: " + e, e));
                    inFlight.remove(node);
                    completed.add(WAKEUP);
                }
            });
    }

    private void onAnswer(final Node node, final FetchRequest request, final FetchResponse response,
        final Throwable error)
    {
        if (error != null)
        {
            // The node is free for the next fetch before the poller can see this one's results.
            inFlight.remove(node);
            metadataStale = true;
            final SluiceException failure = Futures.unwrap(error);
            for (final FetchRequest.TopicData topic : request.topics())
            {
                for (final FetchRequest.PartitionData p : topic.partitions())
                {
                    completed.add(CompletedFetch.failed(new TopicPartition(topic.name(), p.partition()),
                        p.fetchOffset(), Errors.NETWORK_EXCEPTION, failure));
                }
            }
        }
        else
        {
            // Either the next fetch leaves now, or the node is freed before the poller can see the results,
            // so a poller woken by them can send one itself. (A poller that runs between the two sends a second
            // fetch from the same offsets; the consumer uses whichever answer holds its position.)
            final FetchRequest ahead = fetchAhead(node, request, response);
            if (ahead != null)
            {
                send(node, ahead);
            }
            else
            {
                inFlight.remove(node);
            }
            decode(request, response);
        }
    }

    /** The partitions poll currently wants fetched (assigned, not paused); set by the consumer's thread. */
    void setFetchable(final Set<TopicPartition> partitions)
    {
        fetchable = partitions;
    }

    /**
     * The consumer's thread moved {@code tp}'s position other than by consuming (a seek) or dropped an answer that
     * did not start at it. A fetch ahead renews itself from the offsets its answer ended at, not from poll's
     * positions, so one sent before either must stop: renewed, every answer would start at the old offset and be
     * dropped, and an idle partition would never be read again.
     */
    void stopFetchingAhead(final TopicPartition tp)
    {
        stopAhead.add(tp);
    }

    /** The consumer's thread finished with (or dropped) a completed fetch that carried records. */
    void consumed(final CompletedFetch fetch)
    {
        if (fetch.holdsBatches())
        {
            final AtomicInteger count = outstanding.get(fetch.topicPartition());
            if (count != null)
            {
                count.decrementAndGet();
            }
        }
    }

    /**
     * Sends the next fetch to the same broker as soon as an answer arrives, on the I/O thread, from the offsets the
     * answer ends at: the broker holds it while the application processes this answer, so new records flow without
     * waiting for the next poll. At most two answers per partition wait unconsumed; past that, or when poll stops
     * draining, fetching ahead pauses until poll catches up.
     */
    private FetchRequest fetchAhead(final Node node, final FetchRequest request, final FetchResponse response)
    {
        if (completed.size() >= MAX_QUEUED)
        {
            return null;
        }
        final Set<TopicPartition> wanted = fetchable;
        final Map<TopicPartition, FetchRequest.PartitionData> sent = new LinkedHashMap<>();
        for (final FetchRequest.TopicData topic : request.topics())
        {
            for (final FetchRequest.PartitionData p : topic.partitions())
            {
                sent.put(new TopicPartition(topic.name(), p.partition()), p);
            }
        }
        boolean stopped = false;
        for (final TopicPartition tp : sent.keySet())
        {
            stopped |= stopAhead.remove(tp);
        }
        if (stopped)
        {
            return null;
        }
        // Only a fetch that covered every wanted partition of this broker may be repeated: repeating a partial one
        // would keep the broker busy forever without ever asking for the partitions it left out.
        final Cluster cluster = lastCluster;
        for (final TopicPartition tp : wanted)
        {
            if (!sent.containsKey(tp) && node.equals(cluster.leader(tp)))
            {
                return null;
            }
        }
        final Map<String, List<FetchRequest.PartitionData>> next = new LinkedHashMap<>();
        for (final FetchResponse.TopicData topic : response.topics())
        {
            for (final FetchResponse.PartitionData p : topic.partitions())
            {
                final TopicPartition tp = new TopicPartition(topic.name(), p.partition());
                final FetchRequest.PartitionData previous = sent.get(tp);
                final AtomicInteger count = outstanding.get(tp);
                if (previous == null || !wanted.contains(tp))
                {
                    continue;
                }
                // This answer is not counted yet: one more unconsumed answer for the partition is the limit. A
                // fetch ahead that left out a busy partition would hold it back while parked for the idle ones,
                // so then (and on errors, which poll must see first) the next fetch is left to poll.
                if (p.errorCode() != Errors.NONE.code() || count != null && count.get() > 0)
                {
                    return null;
                }
                long offset = previous.fetchOffset();
                final ByteBuffer records = ((MemoryRecordSet)p.records()).buffer();
                for (int i = records.position(); i + RecordBatch.HEADER_SIZE <= records.limit();
                    i += RecordBatch.sizeInBytes(records, i))
                {
                    offset = Math.max(offset, RecordBatch.nextOffset(records, i));
                }
                next.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).add(new FetchRequest.PartitionData(
                    tp.partition(), previous.currentLeaderEpoch(), offset, -1L, previous.partitionMaxBytes()));
            }
        }
        if (next.isEmpty())
        {
            return null;
        }
        final List<FetchRequest.TopicData> topics = new ArrayList<>();
        next.forEach((topic, partitions) -> topics.add(new FetchRequest.TopicData(topic, partitions)));
        return new FetchRequest(FetchRequest.CONSUMER_REPLICA_ID, config.fetchMaxWaitMs, config.fetchMinBytes,
            config.fetchMaxBytes, (byte)0, topics);
    }

    private void decode(final FetchRequest request, final FetchResponse response)
    {
        final Map<TopicPartition, Long> offsets = new LinkedHashMap<>();
        for (final FetchRequest.TopicData topic : request.topics())
        {
            for (final FetchRequest.PartitionData p : topic.partitions())
            {
                offsets.put(new TopicPartition(topic.name(), p.partition()), p.fetchOffset());
            }
        }
        for (final FetchResponse.TopicData topic : response.topics())
        {
            for (final FetchResponse.PartitionData p : topic.partitions())
            {
                final TopicPartition tp = new TopicPartition(topic.name(), p.partition());
                final long fetchOffset = offsets.getOrDefault(tp, -1L);
                final Errors error = Errors.forCode(p.errorCode());
                if (error != Errors.NONE)
                {
                    if (error.refreshesMetadata())
                    {
                        metadataStale = true;
                    }
                    completed.add(CompletedFetch.failed(tp, fetchOffset, error, error.exception(tp.toString())));
                    continue;
                }
                final ByteBuffer records = ((MemoryRecordSet)p.records()).buffer();
                final FetchedRecords decoded = FetchedRecords.decode(records, fetchOffset, readers.get());
                if (records.hasRemaining())
                {
                    outstanding.computeIfAbsent(tp, k -> new AtomicInteger()).incrementAndGet();
                }
                completed.add(new CompletedFetch(tp, fetchOffset, Errors.NONE, null, decoded,
                    records.hasRemaining()));
            }
        }
    }

    /** A marker with no partition: it only wakes a poll waiting for fetches (the group assignment changed). */
    static final CompletedFetch WAKEUP = new CompletedFetch(null, -1L, Errors.NONE, null, null, false);

    /** Wakes a poll blocked waiting for completed fetches; safe from any thread. */
    void wakeup()
    {
        completed.add(WAKEUP);
    }

    /**
     * Takes the next completed fetch, waiting up to {@code timeoutMs}; null if none arrived.
     *
     * @throws SluiceException once, if handling an answer failed on the I/O thread.
     */
    CompletedFetch poll(final long timeoutMs) throws InterruptedException
    {
        final CompletedFetch fetch = timeoutMs <= 0 ? completed.poll() : completed.poll(timeoutMs,
            TimeUnit.MILLISECONDS);
        final SluiceException failure = handlingFailure.getAndSet(null);
        if (failure != null)
        {
            throw failure;
        }
        return fetch;
    }

    boolean takeMetadataStale()
    {
        final boolean stale = metadataStale;
        metadataStale = false;
        return stale;
    }

    boolean hasInFlight()
    {
        return !inFlight.isEmpty();
    }
}

package io.sluice.client.internals;

import io.sluice.client.network.NetworkClient;
import io.sluice.common.TopicPartition;
import io.sluice.common.errors.SluiceException;
import io.sluice.common.errors.TimeoutException;
import io.sluice.common.protocol.ApiKeys;
import io.sluice.common.protocol.Errors;
import io.sluice.common.protocol.message.ListOffsetsRequest;
import io.sluice.common.protocol.message.ListOffsetsResponse;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * ListOffsets on each partition's leader: earliest ({@code -2}), latest ({@code -1}) or a timestamp. Shared by
 * the admin client and the consumer.
 *
 * <p>As in Kafka's clients, a partition whose leader is moving (no leader yet, NOT_LEADER_OR_FOLLOWER, a fenced
 * epoch, a leader that does not answer) is asked again after a metadata refresh and {@code retry.backoff.ms},
 * until the timeout; a topic the cluster does not know and errors no retry can cure fail at once.
 */
public final class OffsetLookup
{
    private final NetworkClient network;
    private final Metadata metadata;
    private final long retryBackoffMs;

    public OffsetLookup(final NetworkClient network, final Metadata metadata, final long retryBackoffMs)
    {
        this.network = network;
        this.metadata = metadata;
        this.retryBackoffMs = retryBackoffMs;
    }

    /**
     * @throws TimeoutException if some partition has no answer within {@code timeoutMs}; names the last error.
     */
    public Map<TopicPartition, OffsetAndTimestamp> lookup(final Map<TopicPartition, Long> timestamps,
        final long timeoutMs)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        final List<String> topics = new ArrayList<>();
        timestamps.keySet().forEach(tp ->
        {
            if (!topics.contains(tp.topic()))
            {
                topics.add(tp.topic());
            }
        });
        final Map<TopicPartition, Long> pending = new HashMap<>(timestamps);
        final Map<TopicPartition, OffsetAndTimestamp> results = new HashMap<>();
        final Cluster known = metadata.cluster();
        boolean refresh = pending.keySet().stream().anyMatch(tp -> known.leader(tp) == null);
        while (true)
        {
            final Cluster cluster = refresh ? metadata.refreshBlocking(topics, false, remainingMs(deadline)) : known;
            final SluiceException retriable = attempt(cluster, pending, results, deadline);
            if (pending.isEmpty())
            {
                return results;
            }
            if (remainingMs(deadline) <= retryBackoffMs)
            {
                throw new TimeoutException("ListOffsets for " + pending.keySet() + " did not complete within "
                    + timeoutMs + " ms" + (retriable == null ? "" : "; last error: " + retriable.getMessage()));
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(retryBackoffMs));
            refresh = true;
        }
    }

    /**
     * Asks each leader once for the pending partitions, moving answered ones to {@code results}; returns the last
     * retriable failure (null if none) and throws any other.
     */
    private SluiceException attempt(final Cluster cluster, final Map<TopicPartition, Long> pending,
        final Map<TopicPartition, OffsetAndTimestamp> results, final long deadline)
    {
        SluiceException retriable = null;
        final Map<Node, Map<String, List<ListOffsetsRequest.PartitionData>>> byNode = new HashMap<>();
        for (final Map.Entry<TopicPartition, Long> entry : pending.entrySet())
        {
            final TopicPartition tp = entry.getKey();
            final PartitionInfo info = cluster.partition(tp);
            final Node leader = cluster.leader(tp);
            if (leader == null)
            {
                // A known partition without a leader is mid-election; a partition the metadata lacks is only
                // worth waiting for while its topic is being created.
                final Errors error = info != null ? Errors.LEADER_NOT_AVAILABLE
                    : cluster.topicErrors().getOrDefault(tp.topic(), Errors.UNKNOWN_TOPIC_OR_PARTITION);
                if (error != Errors.LEADER_NOT_AVAILABLE)
                {
                    throw error.exception("No leader known for " + tp);
                }
                retriable = error.exception("No leader known for " + tp);
                continue;
            }
            byNode.computeIfAbsent(leader, n -> new HashMap<>()).computeIfAbsent(tp.topic(), t -> new ArrayList<>())
                .add(new ListOffsetsRequest.PartitionData(tp.partition(), info.leaderEpoch(), entry.getValue()));
        }
        final List<CompletableFuture<ListOffsetsResponse>> futures = new ArrayList<>();
        for (final Map.Entry<Node, Map<String, List<ListOffsetsRequest.PartitionData>>> entry : byNode.entrySet())
        {
            final List<ListOffsetsRequest.TopicData> data = new ArrayList<>();
            entry.getValue().forEach((topic, partitions) -> data.add(new ListOffsetsRequest.TopicData(topic,
                partitions)));
            futures.add(network.send(entry.getKey().host(), entry.getKey().port(), ApiKeys.LIST_OFFSETS,
                new ListOffsetsRequest(-1, (byte)0, data), ListOffsetsResponse::read));
        }
        for (final CompletableFuture<ListOffsetsResponse> future : futures)
        {
            final ListOffsetsResponse response;
            try
            {
                response = Futures.await(future, Math.max(1, remainingMs(deadline)), "ListOffsets");
            }
            catch (final SluiceException e)
            {
                if (!e.isRetriable())
                {
                    throw e;
                }
                retriable = e;
                continue;
            }
            for (final ListOffsetsResponse.TopicData topic : response.topics())
            {
                for (final ListOffsetsResponse.PartitionData p : topic.partitions())
                {
                    final TopicPartition tp = new TopicPartition(topic.name(), p.partition());
                    final Errors error = Errors.forCode(p.errorCode());
                    if (error == Errors.NONE)
                    {
                        pending.remove(tp);
                        results.put(tp, new OffsetAndTimestamp(p.offset(), p.timestamp(), p.leaderEpoch()));
                        continue;
                    }
                    final SluiceException failure = error.exception("ListOffsets for " + tp);
                    if (!error.isRetriable())
                    {
                        throw failure;
                    }
                    retriable = failure;
                }
            }
        }
        return retriable;
    }

    private static long remainingMs(final long deadline)
    {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    }
}

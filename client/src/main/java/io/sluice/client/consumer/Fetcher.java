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

/**
 * Sends fetches (one in flight per broker) and queues each partition's answer as a {@link CompletedFetch} for the
 * consumer's {@code poll}, so the next fetch travels while the application processes the last one.
 */
final class Fetcher
{
    private final NetworkClient network;
    private final ConsumerConfig config;
    private final LinkedBlockingQueue<CompletedFetch> completed = new LinkedBlockingQueue<>();
    private final Set<Node> inFlight = ConcurrentHashMap.newKeySet();
    private volatile boolean metadataStale;

    Fetcher(final NetworkClient network, final ConsumerConfig config)
    {
        this.network = network;
        this.config = config;
    }

    /** Sends a fetch to every broker leading a fetchable partition and having no fetch in flight. */
    void sendFetches(final Cluster cluster, final Map<TopicPartition, Long> positions, final int maxWaitMs)
    {
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
            final Node node = entry.getKey();
            final List<FetchRequest.TopicData> topics = new ArrayList<>();
            entry.getValue().forEach((topic, partitions) -> topics.add(new FetchRequest.TopicData(topic, partitions)));
            final FetchRequest request = new FetchRequest(FetchRequest.CONSUMER_REPLICA_ID, maxWaitMs,
                config.fetchMinBytes, config.fetchMaxBytes, (byte)0, topics);
            inFlight.add(node);
            network.send(node.host(), node.port(), ApiKeys.FETCH, request, FetchResponse::read)
                .whenComplete((response, error) ->
                {
                    // The node is free for the next fetch before the poller can see this one's results.
                    inFlight.remove(node);
                    if (error != null)
                    {
                        metadataStale = true;
                        final SluiceException failure = Futures.unwrap(error);
                        for (final FetchRequest.TopicData topic : topics)
                        {
                            for (final FetchRequest.PartitionData p : topic.partitions())
                            {
                                completed.add(new CompletedFetch(new TopicPartition(topic.name(), p.partition()),
                                    p.fetchOffset(), Errors.NETWORK_EXCEPTION, failure, null, -1));
                            }
                        }
                    }
                    else
                    {
                        decode(request, response);
                    }
                });
        }
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
                    completed.add(new CompletedFetch(tp, fetchOffset, error, error.exception(tp.toString()), null,
                        p.highWatermark()));
                    continue;
                }
                completed.add(new CompletedFetch(tp, fetchOffset, Errors.NONE, null,
                    ((MemoryRecordSet)p.records()).buffer(), p.highWatermark()));
            }
        }
    }

    /** Takes the next completed fetch, waiting up to {@code timeoutMs}; null if none arrived. */
    CompletedFetch poll(final long timeoutMs) throws InterruptedException
    {
        return timeoutMs <= 0 ? completed.poll() : completed.poll(timeoutMs, TimeUnit.MILLISECONDS);
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

package io.sluice.client.internals;

import io.sluice.client.network.NetworkClient;
import io.sluice.common.TopicPartition;
import io.sluice.common.protocol.ApiKeys;
import io.sluice.common.protocol.Errors;
import io.sluice.common.protocol.message.ListOffsetsRequest;
import io.sluice.common.protocol.message.ListOffsetsResponse;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * ListOffsets on each partition's leader: earliest ({@code -2}), latest ({@code -1}) or a timestamp. Shared by
 * the admin client and the consumer.
 */
public final class OffsetLookup
{
    private final NetworkClient network;
    private final Metadata metadata;

    public OffsetLookup(final NetworkClient network, final Metadata metadata)
    {
        this.network = network;
        this.metadata = metadata;
    }

    public Map<TopicPartition, OffsetAndTimestamp> lookup(final Map<TopicPartition, Long> timestamps,
        final long timeoutMs)
    {
        final List<String> topics = new ArrayList<>();
        timestamps.keySet().forEach(tp ->
        {
            if (!topics.contains(tp.topic()))
            {
                topics.add(tp.topic());
            }
        });
        final Cluster known = metadata.cluster();
        final Cluster cluster = timestamps.keySet().stream().anyMatch(tp -> known.leader(tp) == null)
            ? metadata.refreshBlocking(topics, false, timeoutMs) : known;
        final Map<Node, Map<String, List<ListOffsetsRequest.PartitionData>>> byNode = new HashMap<>();
        for (final Map.Entry<TopicPartition, Long> entry : timestamps.entrySet())
        {
            final TopicPartition tp = entry.getKey();
            final Node leader = cluster.leader(tp);
            if (leader == null)
            {
                final Errors error = cluster.topicErrors().getOrDefault(tp.topic(), Errors.UNKNOWN_TOPIC_OR_PARTITION);
                throw error.exception("No leader known for " + tp);
            }
            final PartitionInfo info = cluster.partition(tp);
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
        final Map<TopicPartition, OffsetAndTimestamp> results = new HashMap<>();
        for (final CompletableFuture<ListOffsetsResponse> future : futures)
        {
            final ListOffsetsResponse response = Futures.await(future, timeoutMs, "ListOffsets");
            for (final ListOffsetsResponse.TopicData topic : response.topics())
            {
                for (final ListOffsetsResponse.PartitionData p : topic.partitions())
                {
                    final Errors error = Errors.forCode(p.errorCode());
                    if (error != Errors.NONE)
                    {
                        if (error.refreshesMetadata())
                        {
                            metadata.refresh(topics, false);
                        }
                        throw error.exception("ListOffsets for " + topic.name() + "-" + p.partition());
                    }
                    results.put(new TopicPartition(topic.name(), p.partition()),
                        new OffsetAndTimestamp(p.offset(), p.timestamp(), p.leaderEpoch()));
                }
            }
        }
        return results;
    }
}

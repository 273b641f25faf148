package io.sluice.client.admin;

import io.sluice.client.internals.ClientConfigs;
import io.sluice.client.internals.CommonClientConfig;
import io.sluice.client.internals.Cluster;
import io.sluice.client.internals.Futures;
import io.sluice.client.internals.Metadata;
import io.sluice.client.internals.Node;
import io.sluice.client.internals.OffsetAndTimestamp;
import io.sluice.client.internals.OffsetLookup;
import io.sluice.client.internals.PartitionInfo;
import io.sluice.client.network.NetworkClient;
import io.sluice.common.TopicPartition;
import io.sluice.common.config.ConfigDef;
import io.sluice.common.errors.SluiceException;
import io.sluice.common.protocol.ApiKeys;
import io.sluice.common.protocol.Errors;
import io.sluice.common.protocol.message.CreateTopicsRequest;
import io.sluice.common.protocol.message.DeleteTopicsRequest;
import io.sluice.common.protocol.message.TopicResultsResponse;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Manages topics and looks up offsets. Every call blocks at most {@code default.api.timeout.ms}. Thread-safe.
 */
public final class Admin implements AutoCloseable
{
    private static final ConfigDef DEFINITION = ClientConfigs.common();

    private final NetworkClient network;
    private final Metadata metadata;
    private final long apiTimeoutMs;
    private final OffsetLookup offsets;

    private Admin(final Map<String, ?> props)
    {
        final CommonClientConfig config = CommonClientConfig.from(DEFINITION.parse(props, false), "sluice-admin");
        this.apiTimeoutMs = config.defaultApiTimeoutMs();
        this.network = config.newNetworkClient();
        this.metadata = config.newMetadata(network);
        this.offsets = new OffsetLookup(network, metadata);
    }

    /** Creates an admin client; {@code bootstrap.servers} defaults to 127.0.0.1:9092. */
    public static Admin create(final Map<String, ?> props)
    {
        return new Admin(props);
    }

    private Node anyNode()
    {
        Cluster cluster = metadata.cluster();
        if (cluster.nodes().isEmpty())
        {
            cluster = metadata.refreshBlocking(List.of(), false, apiTimeoutMs);
        }
        return cluster.nodes().values().iterator().next();
    }

    /**
     * Creates topics. Returns, per topic, null on success or the exception saying why it was not created (for
     * example {@code TOPIC_ALREADY_EXISTS}).
     */
    public Map<String, SluiceException> createTopics(final Collection<NewTopic> topics)
    {
        final List<CreateTopicsRequest.Topic> request = new ArrayList<>();
        for (final NewTopic topic : topics)
        {
            request.add(new CreateTopicsRequest.Topic(topic.name(), topic.numPartitions(), topic.replicationFactor(),
                topic.configs()));
        }
        final Node node = anyNode();
        final TopicResultsResponse response = Futures.await(network.send(node.host(), node.port(),
            ApiKeys.CREATE_TOPICS, new CreateTopicsRequest(request, (int)apiTimeoutMs, false),
            TopicResultsResponse::read), apiTimeoutMs, "CreateTopics");
        return results(response);
    }

    /** Creates one topic; throws if it could not be created. */
    public void createTopic(final NewTopic topic)
    {
        final SluiceException error = createTopics(List.of(topic)).get(topic.name());
        if (error != null)
        {
            throw error;
        }
    }

    /** Deletes topics; returns per topic null on success or the error. */
    public Map<String, SluiceException> deleteTopics(final Collection<String> names)
    {
        final Node node = anyNode();
        final TopicResultsResponse response = Futures.await(network.send(node.host(), node.port(),
            ApiKeys.DELETE_TOPICS, new DeleteTopicsRequest(List.copyOf(names), (int)apiTimeoutMs),
            TopicResultsResponse::read), apiTimeoutMs, "DeleteTopics");
        names.forEach(metadata::forget);
        return results(response);
    }

    private static Map<String, SluiceException> results(final TopicResultsResponse response)
    {
        if (response.errorCode() != Errors.NONE.code())
        {
            throw Errors.forCode(response.errorCode()).exception(null);
        }
        final Map<String, SluiceException> results = new LinkedHashMap<>();
        for (final TopicResultsResponse.TopicResult result : response.results())
        {
            final Errors error = Errors.forCode(result.errorCode());
            results.put(result.name(), error == Errors.NONE ? null : error.exception(result.errorMessage()));
        }
        return results;
    }

    /** The names of all topics; internal ones ({@code __...}) only if asked. */
    public Set<String> listTopics(final boolean includeInternal)
    {
        final Cluster cluster = metadata.refreshBlocking(null, false, apiTimeoutMs);
        final Set<String> names = new TreeSet<>();
        for (final String name : cluster.topics().keySet())
        {
            if (includeInternal || !cluster.internal().getOrDefault(name, false))
            {
                names.add(name);
            }
        }
        return names;
    }

    /** Describes topics; throws {@code UNKNOWN_TOPIC_OR_PARTITION} for one that does not exist. */
    public Map<String, TopicDescription> describeTopics(final Collection<String> names)
    {
        final Cluster cluster = metadata.refreshBlocking(List.copyOf(names), false, apiTimeoutMs);
        final Map<String, TopicDescription> descriptions = new LinkedHashMap<>();
        for (final String name : names)
        {
            final Errors error = cluster.topicErrors().get(name);
            if (error != null)
            {
                throw error.exception("Topic '" + name + "': " + error.message());
            }
            final List<PartitionInfo> partitions = cluster.partitions(name);
            descriptions.put(name, new TopicDescription(name, cluster.internal().getOrDefault(name, false),
                partitions));
        }
        return descriptions;
    }

    /** Looks up offsets on the partitions' leaders. */
    public Map<TopicPartition, OffsetAndTimestamp> listOffsets(final Map<TopicPartition, OffsetSpec> specs)
    {
        final Map<TopicPartition, Long> timestamps = new HashMap<>();
        specs.forEach((tp, spec) -> timestamps.put(tp, spec.timestamp()));
        return offsets.lookup(timestamps, apiTimeoutMs);
    }

    @Override
    public void close()
    {
        network.close();
    }
}

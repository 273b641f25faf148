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
import io.sluice.client.internals.GroupClient;
import io.sluice.common.protocol.message.CreateTopicsRequest;
import io.sluice.common.protocol.message.DeleteTopicsRequest;
import io.sluice.common.protocol.message.DescribeGroupsResponse;
import io.sluice.common.protocol.message.GroupIdsRequest;
import io.sluice.common.protocol.message.GroupResultsResponse;
import io.sluice.common.protocol.message.ListGroupsResponse;
import io.sluice.common.protocol.message.OffsetCommitRequest;
import io.sluice.common.protocol.message.PartitionErrorsResponse;
import io.sluice.common.protocol.message.TopicPartitionsData;
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
 * Manages topics and consumer groups and looks up offsets. Every call blocks at most
 * {@code default.api.timeout.ms}. Thread-safe.
 */
public final class Admin implements AutoCloseable
{
    private static final ConfigDef DEFINITION = ClientConfigs.common();

    private final NetworkClient network;
    private final Metadata metadata;
    private final long apiTimeoutMs;
    private final OffsetLookup offsets;
    private final GroupClient groups;

    private Admin(final Map<String, ?> props)
    {
        final CommonClientConfig config = CommonClientConfig.from(DEFINITION.parse(props, false), "sluice-admin");
        this.apiTimeoutMs = config.defaultApiTimeoutMs();
        this.network = config.newNetworkClient();
        this.metadata = config.newMetadata(network);
        this.offsets = new OffsetLookup(network, metadata, config.retryBackoffMs());
        this.groups = new GroupClient(network, metadata, config.retryBackoffMs());
    }

    /** Creates an admin client; {@code bootstrap.servers} defaults to 127.0.0.1:9092. */
    public static Admin create(final Map<String, ?> props)
    {
        return new Admin(props);
    }

    private Node anyNode()
    {
        return metadata.awaitBrokers(apiTimeoutMs).nodes().values().iterator().next();
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

    /** Every consumer group in the cluster (each broker lists the groups it coordinates). */
    public List<GroupListing> listGroups()
    {
        final Cluster cluster = metadata.refreshBlocking(List.of(), false, apiTimeoutMs);
        final List<GroupListing> listings = new ArrayList<>();
        for (final Node node : cluster.nodes().values())
        {
            final ListGroupsResponse response = Futures.await(network.send(node.host(), node.port(),
                ApiKeys.LIST_GROUPS, new GroupIdsRequest(List.of()), ListGroupsResponse::read), apiTimeoutMs,
                "ListGroups");
            check(response.errorCode(), "Listing groups on broker " + node.id());
            for (final ListGroupsResponse.Group group : response.groups())
            {
                listings.add(new GroupListing(group.groupId(), group.state(), group.members()));
            }
        }
        listings.sort(java.util.Comparator.comparing(GroupListing::groupId));
        return listings;
    }

    /**
     * Describes a group with its lag per partition.
     *
     * @throws SluiceException {@code GROUP_ID_NOT_FOUND} if there is no such group.
     */
    public GroupDescription describeGroup(final String groupId)
    {
        final DescribeGroupsResponse response = groups.call(groupId, ApiKeys.DESCRIBE_GROUPS,
            new GroupIdsRequest(List.of(groupId)), DescribeGroupsResponse::read, r -> r.groups().isEmpty()
                ? r.errorCode() : r.groups().get(0).errorCode(), apiTimeoutMs);
        check(response.errorCode(), "Describing group " + groupId);
        final DescribeGroupsResponse.Group group = response.groups().get(0);
        check(group.errorCode(), "Group '" + groupId + "'");
        final List<GroupDescription.Member> members = new ArrayList<>();
        final Map<TopicPartition, String> owners = new HashMap<>();
        for (final DescribeGroupsResponse.Member m : group.members())
        {
            final Set<TopicPartition> owned = TopicPartitionsData.toSet(m.assignment());
            owned.forEach(tp -> owners.put(tp, m.memberId()));
            members.add(new GroupDescription.Member(m.memberId(), m.clientId(), m.host(), m.memberEpoch(),
                Set.copyOf(owned)));
        }
        final Map<TopicPartition, Long> committed = new HashMap<>();
        final Map<TopicPartition, Long> ends = new HashMap<>();
        for (final DescribeGroupsResponse.Offset o : group.offsets())
        {
            final TopicPartition tp = new TopicPartition(o.topic(), o.partition());
            committed.put(tp, o.committedOffset());
            if (o.endOffset() >= 0)
            {
                ends.put(tp, o.endOffset());
            }
        }
        final Set<TopicPartition> all = new TreeSet<>(java.util.Comparator.comparing(TopicPartition::topic)
            .thenComparingInt(TopicPartition::partition));
        all.addAll(committed.keySet());
        all.addAll(owners.keySet());
        final Map<TopicPartition, Long> missing = new HashMap<>();
        for (final TopicPartition tp : all)
        {
            if (!ends.containsKey(tp))
            {
                missing.put(tp, io.sluice.common.protocol.message.ListOffsetsRequest.LATEST_TIMESTAMP);
            }
        }
        if (!missing.isEmpty())
        {
            offsets.lookup(missing, apiTimeoutMs).forEach((tp, r) -> ends.put(tp, r.offset()));
        }
        final List<GroupDescription.PartitionLag> lags = new ArrayList<>();
        for (final TopicPartition tp : all)
        {
            final long c = committed.getOrDefault(tp, -1L);
            final long end = ends.getOrDefault(tp, -1L);
            lags.add(new GroupDescription.PartitionLag(tp, c, end, c >= 0 && end >= 0 ? Math.max(0, end - c) : -1,
                owners.get(tp)));
        }
        return new GroupDescription(groupId, group.state(), group.groupEpoch(), members, lags);
    }

    /**
     * Sets a group's committed offsets, for example to replay or skip records. Only while the group has no
     * members ({@code NON_EMPTY_GROUP} otherwise): a running member would overwrite them.
     */
    public void alterGroupOffsets(final String groupId, final Map<TopicPartition, Long> offsetsToCommit)
    {
        final Map<String, List<OffsetCommitRequest.PartitionData>> byTopic = new LinkedHashMap<>();
        offsetsToCommit.forEach((tp, offset) -> byTopic.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).add(
            new OffsetCommitRequest.PartitionData(tp.partition(), offset, -1, "")));
        final List<OffsetCommitRequest.TopicData> topics = new ArrayList<>();
        byTopic.forEach((t, p) -> topics.add(new OffsetCommitRequest.TopicData(t, p)));
        final PartitionErrorsResponse response = groups.call(groupId, ApiKeys.OFFSET_COMMIT,
            new OffsetCommitRequest(groupId, "", -1, topics), PartitionErrorsResponse::read,
            PartitionErrorsResponse::errorCode, apiTimeoutMs);
        check(response.errorCode(), "Group '" + groupId + "'");
        for (final PartitionErrorsResponse.TopicData topic : response.topics())
        {
            for (final PartitionErrorsResponse.PartitionError p : topic.partitions())
            {
                check(p.errorCode(), "Offset for " + topic.name() + "-" + p.partition());
            }
        }
    }

    /** Deletes empty groups with their offsets; per group, null on success or why it was not deleted. */
    public Map<String, SluiceException> deleteGroups(final Collection<String> groupIds)
    {
        final Map<String, SluiceException> results = new LinkedHashMap<>();
        for (final String groupId : groupIds)
        {
            try
            {
                final GroupResultsResponse response = groups.call(groupId, ApiKeys.DELETE_GROUPS,
                    new GroupIdsRequest(List.of(groupId)), GroupResultsResponse::read, r -> r.results().isEmpty()
                        ? r.errorCode() : r.results().get(0).errorCode(), apiTimeoutMs);
                check(response.errorCode(), "Deleting group " + groupId);
                final short code = response.results().get(0).errorCode();
                results.put(groupId, code == Errors.NONE.code() ? null
                    : Errors.forCode(code).exception("Group '" + groupId + "': " + Errors.forCode(code).message()));
            }
            catch (final SluiceException e)
            {
                results.put(groupId, e);
            }
        }
        return results;
    }

    private static void check(final short code, final String what)
    {
        final Errors error = Errors.forCode(code);
        if (error != Errors.NONE)
        {
            throw error.exception(what + ": " + error.message());
        }
    }

    @Override
    public void close()
    {
        network.close();
    }
}

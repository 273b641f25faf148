package io.sluice.broker.group;

import io.sluice.broker.metadata.BrokerRegistration;
import io.sluice.broker.metadata.MetadataImage;
import io.sluice.broker.metadata.MetadataStore;
import io.sluice.broker.metadata.PartitionImage;
import io.sluice.broker.metadata.TopicImage;
import io.sluice.broker.partition.Partition;
import io.sluice.broker.partition.ReplicaManager;
import io.sluice.broker.purgatory.DelayedOperationPurgatory;
import io.sluice.common.TopicPartition;
import io.sluice.common.errors.ApiException;
import io.sluice.common.protocol.Errors;
import io.sluice.storage.log.LogConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Coordinates the consumer groups whose {@code __consumer_offsets} partition this broker leads: it creates that
 * topic on first use, loads a partition's groups when it becomes leader (answering COORDINATOR_LOAD_IN_PROGRESS
 * meanwhile), drops them when leadership moves, and expires members and empty groups on a timer.
 */
public final class GroupCoordinator implements Consumer<MetadataImage>, AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(GroupCoordinator.class);
    static final int MAX_GROUP_ID_LENGTH = 255;

    private final int nodeId;
    private final GroupConfig config;
    private final MetadataStore metadata;
    private final ReplicaManager replicas;
    private final Consumer<TopicPartition> highWatermarkListener;
    private final Map<Integer, GroupShard> loaded = new ConcurrentHashMap<>();
    private final Set<Integer> loading = ConcurrentHashMap.newKeySet();
    private final DelayedOperationPurgatory<HighWatermarkWait> waits = new DelayedOperationPurgatory<>("group");
    private final ScheduledExecutorService timer;
    private volatile long nextRetentionCheckMs;

    public GroupCoordinator(final int nodeId, final GroupConfig config, final MetadataStore metadata,
        final ReplicaManager replicas, final Consumer<TopicPartition> highWatermarkListener)
    {
        this.nodeId = nodeId;
        this.config = config;
        this.metadata = metadata;
        this.replicas = replicas;
        this.highWatermarkListener = highWatermarkListener;
        this.timer = Executors.newSingleThreadScheduledExecutor(r ->
        {
            final Thread thread = new Thread(r, "group-coordinator");
            thread.setDaemon(true);
            return thread;
        });
        this.nextRetentionCheckMs = System.currentTimeMillis() + config.offsetsRetentionCheckIntervalMs();
        timer.scheduleWithFixedDelay(this::expire, 100, 100, TimeUnit.MILLISECONDS);
    }

    /** Follows leadership of the offsets partitions. */
    @Override
    public void accept(final MetadataImage image)
    {
        final TopicImage topic = image.topic(OffsetsTopic.NAME);
        final Set<Integer> led = ConcurrentHashMap.newKeySet();
        if (topic != null)
        {
            for (final PartitionImage p : topic.partitions())
            {
                if (p.leader() == nodeId)
                {
                    led.add(p.partition());
                }
            }
        }
        for (final Integer p : new ArrayList<>(loaded.keySet()))
        {
            if (!led.contains(p))
            {
                loaded.remove(p);
                LOG.info("No longer coordinating the groups of {}-{}", OffsetsTopic.NAME, p);
            }
        }
        for (final Integer p : led)
        {
            if (!loaded.containsKey(p) && loading.add(p))
            {
                timer.execute(() -> load(p));
            }
        }
    }

    private void load(final int p)
    {
        try
        {
            final Partition partition = replicas.partitionOrNull(new TopicPartition(OffsetsTopic.NAME, p));
            if (partition == null)
            {
                return;
            }
            final long start = System.nanoTime();
            final GroupShard shard = new GroupShard(partition, config, highWatermarkListener);
            final long records = shard.load(System.currentTimeMillis());
            loaded.put(p, shard);
            if (records > 0)
            {
                LOG.info("Loaded the groups of {} from {} record(s) in {} ms", partition.topicPartition(), records,
                    (System.nanoTime() - start) / 1_000_000);
            }
        }
        catch (final RuntimeException e)
        {
            LOG.error("Could not load the groups of {}-{}; its groups are unavailable", OffsetsTopic.NAME, p, e);
        }
        finally
        {
            loading.remove(p);
        }
    }

    /**
     * The broker coordinating {@code groupId}, creating {@code __consumer_offsets} if it does not exist yet.
     *
     * @throws ApiException INVALID_GROUP_ID or COORDINATOR_NOT_AVAILABLE.
     */
    public BrokerRegistration findCoordinator(final String groupId)
    {
        validateGroupId(groupId);
        MetadataImage image = metadata.image();
        if (image.topic(OffsetsTopic.NAME) == null)
        {
            createOffsetsTopic(image);
            image = metadata.image();
        }
        final PartitionImage p = image.partition(OffsetsTopic.NAME,
            OffsetsTopic.partitionFor(groupId, image.topic(OffsetsTopic.NAME).partitionCount()));
        final BrokerRegistration broker = p == null ? null : image.brokers().get(p.leader());
        if (broker == null)
        {
            throw new ApiException(Errors.COORDINATOR_NOT_AVAILABLE.code(), true, "The partition of "
                + OffsetsTopic.NAME + " for group " + groupId + " has no leader right now");
        }
        return broker;
    }

    private void createOffsetsTopic(final MetadataImage image)
    {
        final int brokers = Math.max(1, image.brokers().size());
        final int replicationFactor = Math.min(config.offsetsTopicReplicationFactor(), brokers);
        try
        {
            metadata.createTopic(OffsetsTopic.NAME, config.offsetsTopicPartitions(), replicationFactor, Map.of(
                LogConfig.CLEANUP_POLICY, "compact",
                LogConfig.SEGMENT_BYTES, Integer.toString(config.offsetsTopicSegmentBytes())));
            LOG.info("Created {} with {} partitions and replication factor {}", OffsetsTopic.NAME,
                config.offsetsTopicPartitions(), replicationFactor);
        }
        catch (final ApiException e)
        {
            if (e.code() != Errors.TOPIC_ALREADY_EXISTS.code())
            {
                throw new ApiException(Errors.COORDINATOR_NOT_AVAILABLE.code(), true, "Could not create "
                    + OffsetsTopic.NAME + ": " + e.getMessage());
            }
        }
    }

    public HeartbeatResult heartbeat(final String groupId, final String memberId,
        final int memberEpoch, final int rebalanceTimeoutMs, final List<String> topics, final String regex,
        final Set<TopicPartition> owned, final String clientId, final String host)
    {
        return shardFor(groupId).heartbeat(groupId, memberId, memberEpoch, rebalanceTimeoutMs, topics, regex, owned,
            clientId, host, System.currentTimeMillis(), metadata.image());
    }

    /**
     * Commits offsets; the future completes with an error per partition once the commit is replicated (or
     * REQUEST_TIMED_OUT for every accepted partition if it was not within offsets.commit.timeout.ms).
     */
    public CompletableFuture<Map<TopicPartition, Errors>> commit(final String groupId, final String memberId,
        final int memberEpoch, final Map<TopicPartition, CommittedOffset> offsets)
    {
        final GroupShard shard = shardFor(groupId);
        final GroupShard.CommitResult result = shard.commit(groupId, memberId, memberEpoch, offsets,
            metadata.image(), System.currentTimeMillis());
        if (result.requiredHighWatermark() < 0)
        {
            return CompletableFuture.completedFuture(result.errors());
        }
        return awaitHighWatermark(shard.partition(), result.requiredHighWatermark()).thenApply(reached ->
        {
            if (!reached)
            {
                result.errors().replaceAll((tp, e) -> e == Errors.NONE ? Errors.REQUEST_TIMED_OUT : e);
            }
            return result.errors();
        });
    }

    public Map<TopicPartition, CommittedOffset> fetchOffsets(final String groupId, final String memberId,
        final int memberEpoch, final Collection<TopicPartition> partitions)
    {
        return shardFor(groupId).fetchOffsets(groupId, memberId, memberEpoch, partitions);
    }

    /** The group, or null if it does not exist. */
    public GroupDescription describe(final String groupId)
    {
        return shardFor(groupId).describe(groupId);
    }

    /** Every group this broker coordinates. */
    public List<GroupDescription> list()
    {
        final List<GroupDescription> all = new ArrayList<>();
        for (final GroupShard shard : loaded.values())
        {
            all.addAll(shard.list());
        }
        return all;
    }

    public CompletableFuture<Boolean> delete(final String groupId)
    {
        final GroupShard shard = shardFor(groupId);
        return awaitHighWatermark(shard.partition(), shard.delete(groupId));
    }

    /** Completes coordinator writes waiting on {@code tp}'s high watermark. */
    public void onHighWatermark(final TopicPartition tp)
    {
        if (OffsetsTopic.NAME.equals(tp.topic()))
        {
            waits.checkAndComplete(tp);
        }
    }

    private CompletableFuture<Boolean> awaitHighWatermark(final Partition partition, final long offset)
    {
        final HighWatermarkWait wait = new HighWatermarkWait(partition, offset, config.offsetCommitTimeoutMs());
        waits.tryCompleteElseWatch(wait, List.of(partition.topicPartition()));
        return wait.reached;
    }

    /**
     * The shard holding {@code groupId}.
     *
     * @throws ApiException INVALID_GROUP_ID, COORDINATOR_NOT_AVAILABLE, COORDINATOR_LOAD_IN_PROGRESS or
     *                      NOT_COORDINATOR.
     */
    private GroupShard shardFor(final String groupId)
    {
        validateGroupId(groupId);
        final TopicImage topic = metadata.image().topic(OffsetsTopic.NAME);
        if (topic == null)
        {
            throw new ApiException(Errors.COORDINATOR_NOT_AVAILABLE.code(), true, OffsetsTopic.NAME
                + " does not exist yet; find the coordinator first");
        }
        final int p = OffsetsTopic.partitionFor(groupId, topic.partitionCount());
        final GroupShard shard = loaded.get(p);
        if (shard != null)
        {
            return shard;
        }
        if (loading.contains(p))
        {
            throw new ApiException(Errors.COORDINATOR_LOAD_IN_PROGRESS.code(), true, "Loading the groups of "
                + OffsetsTopic.NAME + "-" + p);
        }
        throw new ApiException(Errors.NOT_COORDINATOR.code(), true, "Broker " + nodeId
            + " does not coordinate group " + groupId);
    }

    static void validateGroupId(final String groupId)
    {
        if (groupId == null || groupId.isEmpty() || groupId.length() > MAX_GROUP_ID_LENGTH)
        {
            throw new ApiException(Errors.INVALID_GROUP_ID.code(), false, "Group id must be 1 to "
                + MAX_GROUP_ID_LENGTH + " characters, got " + (groupId == null ? "null" : groupId.length()));
        }
    }

    private void expire()
    {
        final long now = System.currentTimeMillis();
        final boolean retention = now >= nextRetentionCheckMs;
        if (retention)
        {
            nextRetentionCheckMs = now + config.offsetsRetentionCheckIntervalMs();
        }
        for (final GroupShard shard : loaded.values())
        {
            try
            {
                shard.expire(now, retention);
            }
            catch (final RuntimeException e)
            {
                LOG.error("Unexpected error expiring members of {}", shard.topicPartition(), e);
            }
        }
    }

    @Override
    public void close()
    {
        timer.shutdownNow();
        waits.close();
    }
}

package io.sluice.broker.partition;

import io.sluice.broker.config.BrokerConfig;
import io.sluice.broker.metadata.BrokerRegistration;
import io.sluice.broker.metadata.MetadataImage;
import io.sluice.broker.metadata.PartitionImage;
import io.sluice.broker.metadata.TopicImage;
import io.sluice.common.TopicPartition;
import io.sluice.common.errors.ApiException;
import io.sluice.common.protocol.Errors;
import io.sluice.storage.log.Log;
import io.sluice.storage.log.LogConfig;
import io.sluice.storage.log.LogManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The partitions this broker hosts, kept in step with the metadata image: it opens or creates the log of every
 * partition the image assigns here, updates leader epochs, and deletes the logs of topics that disappear.
 */
public final class ReplicaManager implements Consumer<MetadataImage>
{
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaManager.class);

    private final int nodeId;
    private final BrokerConfig config;
    private final LogManager logManager;
    private final Map<TopicPartition, Partition> partitions = new ConcurrentHashMap<>();
    private final Consumer<TopicPartition> onRemoved;
    private final Consumer<TopicPartition> highWatermarkMoved;
    private final io.sluice.broker.replication.ReplicaFetcherManager fetchers;
    private volatile io.sluice.broker.metadata.MetadataStore metadata;
    private volatile MetadataImage lastImage;

    /**
     * @param onRemoved          hears of partitions that stop being hosted here (to answer their parked requests).
     * @param highWatermarkMoved hears of high watermarks that moved here (to complete parked requests).
     */
    public ReplicaManager(final BrokerConfig config, final LogManager logManager,
        final Consumer<TopicPartition> onRemoved, final Consumer<TopicPartition> highWatermarkMoved)
    {
        this.nodeId = config.nodeId();
        this.config = config;
        this.logManager = logManager;
        this.onRemoved = onRemoved;
        this.highWatermarkMoved = highWatermarkMoved;
        this.fetchers = new io.sluice.broker.replication.ReplicaFetcherManager(nodeId, highWatermarkMoved);
    }

    /** The effective log config of a topic: broker defaults with the topic's overrides. */
    public LogConfig logConfigFor(final TopicImage topic)
    {
        final Map<String, String> logConfigs = io.sluice.broker.config.TopicReplicationConfig.logConfigs(
            topic.configs());
        return logConfigs.isEmpty() ? config.logDefaults() : config.logDefaults().with(logConfigs);
    }

    /** Where ISR changes are proposed; set once the metadata store is up. */
    public void useMetadata(final io.sluice.broker.metadata.MetadataStore store)
    {
        this.metadata = store;
    }

    private boolean holdsSession()
    {
        final io.sluice.broker.metadata.MetadataStore store = metadata;
        return store == null || store.holdsSession();
    }

    /** As leader, proposes adding a follower that has caught up to the ISR. */
    public void onFollowerFetch(final Partition partition, final int replicaId)
    {
        final MetadataImage image = lastImage;
        final io.sluice.broker.metadata.MetadataStore store = metadata;
        if (image == null || store == null || partition.leaderId() != nodeId)
        {
            return;
        }
        final PartitionImage p = image.partition(partition.topicPartition().topic(),
            partition.topicPartition().partition());
        if (p == null)
        {
            return;
        }
        final List<Integer> expanded = partition.isrWithCaughtUpFollower(replicaId, p.replicas());
        if (expanded != null)
        {
            proposeIsr(partition, expanded, "caught up: broker " + replicaId + " rejoins");
        }
    }

    /** As leader, proposes dropping followers that have not caught up for replica.lag.time.max.ms. */
    public void shrinkIsrs(final long maxLagMs)
    {
        if (metadata == null)
        {
            return;
        }
        for (final Partition partition : partitions.values())
        {
            if (partition.leaderId() != nodeId)
            {
                continue;
            }
            final List<Integer> kept = partition.isrWithoutLaggingFollowers(nodeId,
                java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(maxLagMs));
            if (kept != null)
            {
                proposeIsr(partition, kept, "followers behind for more than " + maxLagMs + " ms leave");
            }
        }
    }

    private void proposeIsr(final Partition partition, final List<Integer> isr, final String why)
    {
        LOG.info("Proposing ISR {} for {} ({})", isr, partition.topicPartition(), why);
        metadata.changeIsr(partition.topicPartition(), partition.leaderEpoch(), isr).whenComplete((v, e) ->
        {
            // Committed or not, another change may be proposed now: the controller may have applied less than
            // asked (a replica still fenced stays out), leaving the ISR as it was.
            partition.isrChangeDone();
            if (e != null)
            {
                LOG.warn("ISR change for {} failed: {}", partition.topicPartition(), e.getMessage());
            }
        });
    }

    @Override
    public synchronized void accept(final MetadataImage image)
    {
        lastImage = image;
        final Map<TopicPartition, Boolean> wanted = new HashMap<>();
        for (final TopicImage topic : image.topics().values())
        {
            final LogConfig logConfig = logConfigFor(topic);
            for (final PartitionImage p : topic.partitions())
            {
                if (!p.replicas().contains(nodeId))
                {
                    continue;
                }
                final TopicPartition tp = new TopicPartition(topic.name(), p.partition());
                wanted.put(tp, Boolean.TRUE);
                Partition partition = partitions.get(tp);
                if (partition == null)
                {
                    final Log log = logManager.getOrCreateLog(tp, logConfig);
                    log.updateConfig(logConfig);
                    partition = new Partition(nodeId, tp, log, p.leaderEpoch(), p.isr(), config.producerIdExpirationMs(),
                        this::holdsSession);
                    partitions.put(tp, partition);
                }
                else
                {
                    partition.log().updateConfig(logConfig);
                }
                partition.minInsyncReplicas(io.sluice.broker.config.TopicReplicationConfig.minInsyncReplicas(
                    topic.configs(), config.minInsyncReplicas()));
                if (partition.updateLeadership(p.leader(), p.leaderEpoch(), p.isr()))
                {
                    highWatermarkMoved.accept(tp);
                }
                final BrokerRegistration leader = image.brokers().get(p.leader());
                if (p.leader() == nodeId || leader == null)
                {
                    fetchers.stopFollowing(tp);
                }
                else
                {
                    fetchers.follow(partition, leader);
                }
            }
        }
        for (final TopicPartition tp : new ArrayList<>(partitions.keySet()))
        {
            if (!wanted.containsKey(tp))
            {
                fetchers.stopFollowing(tp);
                partitions.remove(tp);
                onRemoved.accept(tp);
                logManager.deleteLog(tp);
                LOG.info("Removed partition {}", tp);
            }
        }
        // Logs on disk whose topic no longer exists (deleted while the broker was down) go too.
        for (final Log log : new ArrayList<>(logManager.allLogs()))
        {
            if (!partitions.containsKey(log.topicPartition()))
            {
                LOG.info("Deleting log {}: its topic no longer exists", log.topicPartition());
                logManager.deleteLog(log.topicPartition());
            }
        }
    }

    /**
     * The partition if this broker leads it.
     *
     * @throws ApiException UNKNOWN_TOPIC_OR_PARTITION if it does not exist here, NOT_LEADER_OR_FOLLOWER if this
     *                      broker only follows it.
     */
    public Partition leaderPartition(final TopicPartition tp)
    {
        final Partition partition = partitions.get(tp);
        if (partition == null)
        {
            throw new ApiException(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), true,
                "This broker does not host " + tp);
        }
        if (partition.leaderId() < 0)
        {
            throw new ApiException(Errors.LEADER_NOT_AVAILABLE.code(), true, tp + " has no leader: every in-sync "
                + "replica is down");
        }
        if (partition.leaderId() != nodeId)
        {
            throw new ApiException(Errors.NOT_LEADER_OR_FOLLOWER.code(), true, "Broker " + nodeId + " follows " + tp
                + "; its leader is broker " + partition.leaderId());
        }
        return partition;
    }

    public Partition partitionOrNull(final TopicPartition tp)
    {
        return partitions.get(tp);
    }

    public Collection<Partition> partitions()
    {
        return partitions.values();
    }

    /** Stops replicating from leaders, at shutdown. */
    public void stopFetchers()
    {
        fetchers.close();
    }

    /** Writes every partition's producer-state snapshot, at clean shutdown. */
    public void writeProducerSnapshots()
    {
        for (final Partition partition : partitions.values())
        {
            try
            {
                partition.writeProducerSnapshot();
            }
            catch (final RuntimeException e)
            {
                LOG.error("Could not write the producer state of {}: {}", partition.topicPartition(), e.getMessage());
            }
        }
    }
}

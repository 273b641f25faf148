package io.sluice.broker.replication;

import io.sluice.broker.metadata.BrokerRegistration;
import io.sluice.broker.partition.Partition;
import io.sluice.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/** One {@link ReplicaFetcher} per leader this broker follows partitions of; partitions move as leaders change. */
public final class ReplicaFetcherManager implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaFetcherManager.class);

    private final int nodeId;
    private final Consumer<TopicPartition> highWatermarkListener;
    private final Map<Integer, ReplicaFetcher> fetchers = new HashMap<>();
    private final Map<TopicPartition, Integer> followed = new HashMap<>();

    public ReplicaFetcherManager(final int nodeId, final Consumer<TopicPartition> highWatermarkListener)
    {
        this.nodeId = nodeId;
        this.highWatermarkListener = highWatermarkListener;
    }

    /**
     * Follows {@code partition} from {@code leader} at the partition's current leader epoch, moving it from the
     * fetcher of a previous leader.
     */
    public synchronized void follow(final Partition partition, final BrokerRegistration leader)
    {
        final TopicPartition tp = partition.topicPartition();
        final Integer previous = followed.get(tp);
        if (previous != null && previous == leader.id()
            && fetchers.get(previous).endpoint().equals(leader.host() + ":" + leader.port()))
        {
            // Same leader: a new leader epoch still means checking where the logs agree.
            fetchers.get(previous).add(partition);
            return;
        }
        stopFollowing(tp);
        ReplicaFetcher fetcher = fetchers.get(leader.id());
        if (fetcher != null && !fetcher.endpoint().equals(leader.host() + ":" + leader.port()))
        {
            fetcher.close();
            fetchers.remove(leader.id());
            fetcher = null;
        }
        if (fetcher == null)
        {
            fetcher = new ReplicaFetcher(nodeId, leader.id(), leader.host(), leader.port(), highWatermarkListener);
            fetchers.put(leader.id(), fetcher);
        }
        fetcher.add(partition);
        followed.put(tp, leader.id());
        LOG.info("Following {} from leader {} at {}:{}", tp, leader.id(), leader.host(), leader.port());
    }

    /** Stops fetching {@code tp} (this broker leads it now, or no longer hosts it). */
    public synchronized void stopFollowing(final TopicPartition tp)
    {
        final Integer leader = followed.remove(tp);
        if (leader == null)
        {
            return;
        }
        final ReplicaFetcher fetcher = fetchers.get(leader);
        fetcher.remove(tp);
        if (fetcher.isEmpty())
        {
            fetcher.close();
            fetchers.remove(leader);
        }
    }

    @Override
    public synchronized void close()
    {
        fetchers.values().forEach(ReplicaFetcher::close);
        fetchers.clear();
        followed.clear();
    }
}

package io.sluice.broker.replication;

import io.sluice.broker.partition.Partition;
import io.sluice.client.network.NetworkClient;
import io.sluice.common.TopicPartition;
import io.sluice.common.errors.SluiceException;
import io.sluice.common.protocol.ApiKeys;
import io.sluice.common.protocol.Errors;
import io.sluice.common.protocol.MemoryRecordSet;
import io.sluice.common.protocol.message.FetchRequest;
import io.sluice.common.protocol.message.FetchResponse;
import io.sluice.storage.log.LogAppendInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Copies the partitions this broker follows from one leader: one long-polling fetch at a time, from each
 * partition's log end offset, appended with the leader's offsets; the leader learns this broker's log end from the
 * next fetch. Runs on its own client event loop.
 */
final class ReplicaFetcher implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaFetcher.class);
    private static final int MAX_WAIT_MS = 500;
    private static final int MAX_BYTES = 10 * 1024 * 1024;
    private static final int PARTITION_MAX_BYTES = 1024 * 1024;
    private static final long BACKOFF_MS = 100;

    private final int nodeId;
    private final int leaderId;
    private final String host;
    private final int port;
    private final NetworkClient network;
    private final Map<TopicPartition, Partition> partitions = new ConcurrentHashMap<>();
    private final Consumer<TopicPartition> highWatermarkListener;
    private final LogAppendInfo info = new LogAppendInfo();
    private volatile boolean running = true;
    private boolean inFlight;

    ReplicaFetcher(final int nodeId, final int leaderId, final String host, final int port,
        final Consumer<TopicPartition> highWatermarkListener)
    {
        this.nodeId = nodeId;
        this.leaderId = leaderId;
        this.host = host;
        this.port = port;
        this.highWatermarkListener = highWatermarkListener;
        this.network = new NetworkClient("replica-fetcher-" + nodeId + "-from-" + leaderId, 30_000);
    }

    String endpoint()
    {
        return host + ":" + port;
    }

    void add(final Partition partition)
    {
        if (partitions.put(partition.topicPartition(), partition) == null)
        {
            network.eventLoop().execute(this::fetch);
        }
    }

    void remove(final TopicPartition tp)
    {
        partitions.remove(tp);
    }

    boolean isEmpty()
    {
        return partitions.isEmpty();
    }

    private void fetch()
    {
        if (!running || inFlight || partitions.isEmpty())
        {
            return;
        }
        final Map<String, List<FetchRequest.PartitionData>> byTopic = new LinkedHashMap<>();
        for (final Partition p : partitions.values())
        {
            byTopic.computeIfAbsent(p.topicPartition().topic(), t -> new ArrayList<>()).add(
                new FetchRequest.PartitionData(p.topicPartition().partition(), p.leaderEpoch(),
                    p.log().logEndOffset(), p.log().logStartOffset(), PARTITION_MAX_BYTES));
        }
        final List<FetchRequest.TopicData> topics = new ArrayList<>();
        byTopic.forEach((t, ps) -> topics.add(new FetchRequest.TopicData(t, ps)));
        inFlight = true;
        network.send(host, port, ApiKeys.FETCH, new FetchRequest(nodeId, MAX_WAIT_MS, 1, MAX_BYTES, (byte)0, topics),
            FetchResponse::read).whenComplete((response, failure) -> network.eventLoop().execute(() ->
            {
                inFlight = false;
                long delay = 0;
                if (failure != null)
                {
                    LOG.debug("Fetch from leader {} failed: {}", leaderId, failure.getMessage());
                    delay = BACKOFF_MS;
                }
                else if (!apply(response))
                {
                    delay = BACKOFF_MS;
                }
                if (running)
                {
                    network.eventLoop().schedule(this::fetch, delay, TimeUnit.MILLISECONDS);
                }
            }));
    }

    /** Appends what arrived; returns false if some partition answered an error (the caller backs off). */
    private boolean apply(final FetchResponse response)
    {
        boolean ok = true;
        for (final FetchResponse.TopicData topic : response.topics())
        {
            for (final FetchResponse.PartitionData p : topic.partitions())
            {
                final TopicPartition tp = new TopicPartition(topic.name(), p.partition());
                final Partition partition = partitions.get(tp);
                if (partition == null)
                {
                    continue;
                }
                final Errors error = Errors.forCode(p.errorCode());
                if (error != Errors.NONE)
                {
                    ok = false;
                    LOG.debug("Leader {} answered {} for {}", leaderId, error, tp);
                    continue;
                }
                final ByteBuffer records = ((MemoryRecordSet)p.records()).buffer();
                try
                {
                    final long before = partition.highWatermark();
                    partition.appendAsFollower(records, p.highWatermark(), info);
                    if (partition.highWatermark() != before)
                    {
                        highWatermarkListener.accept(tp);
                    }
                }
                catch (final SluiceException e)
                {
                    ok = false;
                    LOG.error("Could not append what leader {} sent for {}: {}", leaderId, tp, e.getMessage());
                }
            }
        }
        return ok;
    }

    @Override
    public void close()
    {
        running = false;
        network.close();
    }
}

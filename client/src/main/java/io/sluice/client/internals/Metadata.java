package io.sluice.client.internals;

import io.sluice.client.network.NetworkClient;
import io.sluice.common.TopicPartition;
import io.sluice.common.errors.NetworkException;
import io.sluice.common.errors.SluiceException;
import io.sluice.common.errors.TimeoutException;
import io.sluice.common.protocol.ApiKeys;
import io.sluice.common.protocol.Errors;
import io.sluice.common.protocol.message.MetadataRequest;
import io.sluice.common.protocol.message.MetadataResponse;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The client's view of the cluster, fetched from any known broker (the bootstrap servers first) and refreshed when
 * a request says it is stale or after {@code metadata.max.age.ms}. Thread-safe: readers see an immutable snapshot.
 */
public final class Metadata
{
    private final NetworkClient network;
    private final List<Node> bootstrap;
    private final long maxAgeMs;
    private volatile Cluster cluster = Cluster.EMPTY;
    private volatile long updatedNanos;
    private int nextNode;

    public Metadata(final NetworkClient network, final List<Node> bootstrap, final long maxAgeMs)
    {
        this.network = network;
        this.bootstrap = bootstrap;
        this.maxAgeMs = maxAgeMs;
    }

    /** Parses {@code host:port,host:port}. */
    public static List<Node> parseBootstrap(final String servers)
    {
        final List<Node> nodes = new ArrayList<>();
        for (final String server : servers.split(","))
        {
            final String s = server.trim();
            if (s.isEmpty())
            {
                continue;
            }
            final int colon = s.lastIndexOf(':');
            if (colon <= 0)
            {
                throw new io.sluice.common.errors.ConfigException("Invalid bootstrap server '" + s
                    + "': expected host:port");
            }
            try
            {
                nodes.add(new Node(-1 - nodes.size(), s.substring(0, colon), Integer.parseInt(s.substring(colon + 1))));
            }
            catch (final NumberFormatException e)
            {
                throw new io.sluice.common.errors.ConfigException("Invalid port in bootstrap server '" + s + "'");
            }
        }
        if (nodes.isEmpty())
        {
            throw new io.sluice.common.errors.ConfigException("bootstrap.servers must name at least one host:port");
        }
        return nodes;
    }

    public Cluster cluster()
    {
        return cluster;
    }

    public boolean isStale()
    {
        return System.nanoTime() - updatedNanos > TimeUnit.MILLISECONDS.toNanos(maxAgeMs);
    }

    /** Asks a broker for {@code topics} (all when null); completes with the updated snapshot. */
    public CompletableFuture<Cluster> refresh(final List<String> topics, final boolean allowAutoCreate)
    {
        final Node node = leastLoadedNode();
        return network.send(node.host(), node.port(), ApiKeys.METADATA,
            new MetadataRequest(topics, allowAutoCreate), MetadataResponse::read).thenApply(this::update);
    }

    /** Refreshes, trying each known broker until one answers or {@code timeoutMs} passes. */
    public Cluster refreshBlocking(final List<String> topics, final boolean allowAutoCreate, final long timeoutMs)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        SluiceException last = null;
        while (System.nanoTime() < deadline)
        {
            try
            {
                final long remaining = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                return refresh(topics, allowAutoCreate).get(Math.max(1, remaining), TimeUnit.MILLISECONDS);
            }
            catch (final ExecutionException e)
            {
                last = e.getCause() instanceof SluiceException ? (SluiceException)e.getCause()
                    : new NetworkException("Metadata request failed: " + e.getCause(), e.getCause());
                backoff(deadline);
            }
            catch (final java.util.concurrent.TimeoutException e)
            {
                break;
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
                throw new SluiceException("Interrupted while fetching metadata");
            }
        }
        throw new TimeoutException("No broker answered a metadata request within " + timeoutMs + " ms"
            + (last == null ? "" : "; last error: " + last.getMessage()));
    }

    /**
     * The current snapshot if it names a broker, else refreshes until one does (a cluster whose brokers have not
     * registered yet answers with none) or {@code timeoutMs} passes.
     */
    public Cluster awaitBrokers(final long timeoutMs)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        Cluster current = cluster;
        while (current.nodes().isEmpty())
        {
            final long remaining = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (remaining <= 0)
            {
                throw new TimeoutException("The cluster named no broker in its metadata within " + timeoutMs
                    + " ms (bootstrap servers " + bootstrap + ")");
            }
            current = refreshBlocking(List.of(), false, remaining);
            if (current.nodes().isEmpty())
            {
                backoff(deadline);
            }
        }
        return current;
    }

    private static void backoff(final long deadline)
    {
        final long pause = Math.min(TimeUnit.MILLISECONDS.toNanos(100), deadline - System.nanoTime());
        if (pause > 0)
        {
            java.util.concurrent.locks.LockSupport.parkNanos(pause);
        }
    }

    /** The broker to send a request any broker can answer: the least loaded one, round robin among equals. */
    public synchronized Node leastLoadedNode()
    {
        final List<Node> candidates = new ArrayList<>(cluster.nodes().values());
        if (candidates.isEmpty() || nextNode % (candidates.size() + bootstrap.size()) >= candidates.size())
        {
            candidates.addAll(bootstrap);
        }
        // The least loaded broker, round robin among equals: a broker that stopped answering keeps its requests in
        // flight, so metadata goes to one that answers (as Kafka's least-loaded-node choice does).
        final int start = Math.floorMod(nextNode++, candidates.size());
        Node best = null;
        int bestLoad = Integer.MAX_VALUE;
        for (int i = 0; i < candidates.size(); i++)
        {
            final Node node = candidates.get((start + i) % candidates.size());
            final int load = network.inFlight(node.host(), node.port());
            if (load < bestLoad)
            {
                best = node;
                bestLoad = load;
                if (load == 0)
                {
                    break;
                }
            }
        }
        return best;
    }

    private synchronized Cluster update(final MetadataResponse response)
    {
        final Map<Integer, Node> nodes = new HashMap<>();
        for (final MetadataResponse.Broker broker : response.brokers())
        {
            nodes.put(broker.nodeId(), new Node(broker.nodeId(), broker.host(), broker.port()));
        }
        final Map<String, List<PartitionInfo>> topics = new HashMap<>(cluster.topics());
        final Map<String, Errors> errors = new HashMap<>(cluster.topicErrors());
        final Map<String, Boolean> internal = new HashMap<>(cluster.internal());
        for (final MetadataResponse.Topic topic : response.topics())
        {
            final Errors error = Errors.forCode(topic.errorCode());
            if (error != Errors.NONE)
            {
                errors.put(topic.name(), error);
                topics.remove(topic.name());
                continue;
            }
            errors.remove(topic.name());
            internal.put(topic.name(), topic.internal());
            final List<PartitionInfo> partitions = new ArrayList<>(topic.partitions().size());
            for (final MetadataResponse.Partition p : topic.partitions())
            {
                partitions.add(new PartitionInfo(new TopicPartition(topic.name(), p.partition()), p.leader(),
                    p.leaderEpoch(), p.replicas(), p.isr()));
            }
            partitions.sort((a, b) -> Integer.compare(a.topicPartition().partition(), b.topicPartition().partition()));
            topics.put(topic.name(), List.copyOf(partitions));
        }
        cluster = new Cluster(response.clusterId(), Map.copyOf(nodes), Map.copyOf(topics), Map.copyOf(errors),
            Map.copyOf(internal));
        updatedNanos = System.nanoTime();
        return cluster;
    }

    /** Forgets a topic, after it was deleted. */
    public synchronized void forget(final String topic)
    {
        final Map<String, List<PartitionInfo>> topics = new HashMap<>(cluster.topics());
        topics.remove(topic);
        cluster = new Cluster(cluster.clusterId(), cluster.nodes(), Map.copyOf(topics), cluster.topicErrors(),
            cluster.internal());
    }
}

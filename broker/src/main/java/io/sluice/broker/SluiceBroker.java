package io.sluice.broker;

import io.sluice.broker.config.BrokerConfig;
import io.sluice.broker.group.GroupCoordinator;
import io.sluice.broker.metadata.BrokerRegistration;
import io.sluice.broker.metadata.LegacyTopics;
import io.sluice.broker.metadata.MetaProperties;
import io.sluice.broker.metadata.quorum.QuorumMetadataStore;
import io.sluice.broker.metadata.MetadataStore;
import io.sluice.broker.metrics.BrokerMetrics;
import io.sluice.broker.network.RequestHandler;
import io.sluice.broker.network.SocketServer;
import io.sluice.broker.partition.Partition;
import io.sluice.broker.partition.ReplicaManager;
import io.sluice.broker.producer.ProducerIdManager;
import io.sluice.broker.purgatory.DelayedOperationPurgatory;
import io.sluice.broker.server.ApiVersionsHandler;
import io.sluice.broker.server.ConsumerGroupHeartbeatHandler;
import io.sluice.broker.server.CreateTopicsHandler;
import io.sluice.broker.server.DeleteGroupsHandler;
import io.sluice.broker.server.DescribeGroupsHandler;
import io.sluice.broker.server.FindCoordinatorHandler;
import io.sluice.broker.server.ListGroupsHandler;
import io.sluice.broker.server.OffsetCommitHandler;
import io.sluice.broker.server.OffsetFetchHandler;
import io.sluice.broker.server.DeleteTopicsHandler;
import io.sluice.broker.server.FetchHandler;
import io.sluice.broker.server.InitProducerIdHandler;
import io.sluice.broker.server.ListOffsetsHandler;
import io.sluice.broker.server.OffsetsForLeaderEpochHandler;
import io.sluice.broker.server.MetadataHandler;
import io.sluice.broker.server.ProduceHandler;
import io.sluice.broker.server.TopicCreator;
import io.sluice.common.TopicPartition;
import io.sluice.common.protocol.ApiKeys;
import io.sluice.common.utils.Time;
import io.sluice.storage.log.LogManager;
import io.sluice.storage.util.PageCacheWarmer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One broker: storage, metadata, partitions, request handlers, the network listener and the metrics endpoint,
 * started in dependency order and stopped in reverse. A clean {@link #shutdown()} stops accepting, answers what is
 * parked, writes producer state and closes the logs with a clean-shutdown marker.
 */
public final class SluiceBroker implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(SluiceBroker.class);

    private final BrokerConfig config;
    private LogManager logManager;
    private MetadataStore metadata;
    private ReplicaManager replicas;
    private BrokerMetrics metrics;
    private SocketServer socketServer;
    private DelayedOperationPurgatory<?> fetchPurgatory;
    private DelayedOperationPurgatory<?> producePurgatory;
    private GroupCoordinator coordinator;
    private ScheduledExecutorService housekeeping;
    private int boundPort = -1;
    private int boundHttpPort = -1;
    private volatile boolean shutDown;
    private static final long METADATA_TIMEOUT_MS = 30_000;

    public SluiceBroker(final BrokerConfig config)
    {
        this.config = config;
    }

    public synchronized void startup() throws IOException, InterruptedException
    {
        final long start = System.nanoTime();
        // Logs open with the broker defaults: the metadata quorum that holds topic overrides keeps its state in the
        // data directory, which the log manager creates and locks, so it starts next and the replica manager
        // applies the overrides.
        logManager = new LogManager(config.logManagerConfig(), config.logDefaults(), topic -> null, Time.SYSTEM);
        final Path dataDir = logManager.dataDirectories().get(0);
        final java.util.List<TopicPartition> onDisk = new java.util.ArrayList<>();
        logManager.allLogs().forEach(log -> onDisk.add(log.topicPartition()));
        MetaProperties.check(dataDir, config.nodeId());
        final List<QuorumMetadataStore.Voter> voters = config.quorumVoters();
        final QuorumMetadataStore store = new QuorumMetadataStore(config.nodeId(), voters,
            dataDir.resolve(".cluster-metadata"), METADATA_TIMEOUT_MS, config.controllerConfig(),
            config.listenerHost());
        metadata = store;

        final var fetches = FetchHandler.newPurgatory();
        final var produces = ProduceHandler.newPurgatory();
        fetchPurgatory = fetches;
        producePurgatory = produces;
        // A removed partition answers its parked requests the same way a moved high watermark does.
        replicas = new ReplicaManager(config, logManager, this::highWatermarkMoved, this::highWatermarkMoved);
        final GroupCoordinator groups = new GroupCoordinator(config.nodeId(), config.groupConfig(), metadata,
            replicas, this::highWatermarkMoved);
        coordinator = groups;
        metrics = new BrokerMetrics(() -> replicas.partitions());
        final TopicCreator creator = new TopicCreator(config, metadata);
        final Map<Short, RequestHandler> handlers = new HashMap<>();
        handlers.put(ApiKeys.API_VERSIONS.id, new ApiVersionsHandler());
        handlers.put(ApiKeys.METADATA.id, new MetadataHandler(config, metadata, creator));
        handlers.put(ApiKeys.CREATE_TOPICS.id, new CreateTopicsHandler(creator));
        handlers.put(ApiKeys.DELETE_TOPICS.id, new DeleteTopicsHandler(config, metadata));
        handlers.put(ApiKeys.PRODUCE.id, new ProduceHandler(config, replicas, produces, this::highWatermarkMoved,
            metrics));
        handlers.put(ApiKeys.FETCH.id, new FetchHandler(replicas, fetches, metrics, this::highWatermarkMoved));
        handlers.put(ApiKeys.LIST_OFFSETS.id, new ListOffsetsHandler(replicas));
        handlers.put(ApiKeys.OFFSETS_FOR_LEADER_EPOCH.id, new OffsetsForLeaderEpochHandler(replicas));
        handlers.put(ApiKeys.INIT_PRODUCER_ID.id, new InitProducerIdHandler(new ProducerIdManager(dataDir,
            metadata::allocateProducerIdBlock)));
        handlers.put(ApiKeys.FIND_COORDINATOR.id, new FindCoordinatorHandler(groups));
        handlers.put(ApiKeys.CONSUMER_GROUP_HEARTBEAT.id, new ConsumerGroupHeartbeatHandler(groups));
        handlers.put(ApiKeys.OFFSET_COMMIT.id, new OffsetCommitHandler(groups));
        handlers.put(ApiKeys.OFFSET_FETCH.id, new OffsetFetchHandler(groups));
        handlers.put(ApiKeys.LIST_GROUPS.id, new ListGroupsHandler(groups));
        handlers.put(ApiKeys.DESCRIBE_GROUPS.id, new DescribeGroupsHandler(groups, replicas));
        handlers.put(ApiKeys.DELETE_GROUPS.id, new DeleteGroupsHandler(groups));

        socketServer = new SocketServer(config.listenerHost(), config.listenerPort(), config.numNetworkThreads(),
            config.socketRequestMaxBytes(), config.connectionsMaxIdleMs(), config.maxConnections(), handlers,
            metrics::onResponse);
        metrics.gauge("sluice.connections", "Open client connections", socketServer::connectionCount);
        metrics.gauge("sluice.controller.active", "1 on the broker that is the active controller, else 0",
            () -> store.isActiveController() ? 1 : 0);
        metrics.gauge("sluice.purgatory.fetch.size", "Fetches parked waiting for data", fetches::size);
        metrics.gauge("sluice.purgatory.produce.size", "acks=all produces parked waiting for replication",
            produces::size);
        metrics.counter("sluice.log.warmed", "bytes", "Bytes of segment files read into the page cache before"
            + " appends reached them", PageCacheWarmer.shared(), PageCacheWarmer::warmedBytes);
        metrics.counter("sluice.log.warm.dropped", null, "Read-aheads dropped because the page cache warmer was"
            + " behind (appends then fault those pages in themselves)", PageCacheWarmer.shared(),
            PageCacheWarmer::droppedRequests);
        // The bound port must be known to register; requests wait in the backlog until startProcessing() below.
        boundPort = socketServer.start();
        store.registerBroker(new BrokerRegistration(config.nodeId(), config.listenerHost(), boundPort));
        if (voters.size() == 1)
        {
            // Alone, this broker's disk is the only other record of its topics: never let the replica manager
            // take logs the metadata lacks for deleted topics.
            LegacyTopics.adopt(store, dataDir, onDisk);
        }
        // The replica manager applies each topic's config overrides to its logs; retention and the cleaner start
        // only after that, so they never run a topic under the defaults.
        replicas.useMetadata(metadata);
        metadata.addListener(replicas);
        metadata.addListener(groups);
        logManager.startup();
        boundHttpPort = metrics.startHttp(config.listenerHost(), config.httpPort());

        housekeeping = Executors.newSingleThreadScheduledExecutor(r ->
        {
            final Thread thread = new Thread(r, "broker-housekeeping");
            thread.setDaemon(true);
            return thread;
        });
        housekeeping.scheduleWithFixedDelay(() ->
        {
            final long now = System.currentTimeMillis();
            for (final Partition partition : replicas.partitions())
            {
                partition.expireProducers(now);
            }
        }, 10, 10, TimeUnit.MINUTES);
        housekeeping.scheduleWithFixedDelay(() -> replicas.shrinkIsrs(config.replicaLagTimeMaxMs()), 1, 1,
            TimeUnit.SECONDS);
        socketServer.startProcessing();
        LOG.info("Sluice broker {} started in {} ms: listening on {}:{}, data in {}, metrics at http://{}:{}/metrics",
            config.nodeId(), (System.nanoTime() - start) / 1_000_000, config.listenerHost(), boundPort,
            logManager.dataDirectories(), config.listenerHost(), boundHttpPort);
    }

    /** A partition's high watermark moved: parked fetches, acks=all produces and group commits may complete. */
    private void highWatermarkMoved(final TopicPartition tp)
    {
        fetchPurgatory.checkAndComplete(tp);
        producePurgatory.checkAndComplete(tp);
        if (coordinator != null)
        {
            coordinator.onHighWatermark(tp);
        }
    }

    public int port()
    {
        return boundPort;
    }

    public int httpPort()
    {
        return boundHttpPort;
    }

    public LogManager logManager()
    {
        return logManager;
    }

    /** Partition lookup, for tests and tools running in the broker's process. */
    public Partition partition(final TopicPartition tp)
    {
        return replicas.partitionOrNull(tp);
    }

    /**
     * Stops cleanly: stop accepting, answer parked requests, close connections, write producer state, flush and
     * close the logs with a clean-shutdown marker.
     */
    public synchronized void shutdown()
    {
        if (shutDown)
        {
            return;
        }
        shutDown = true;
        final long start = System.nanoTime();
        LOG.info("Shutting down broker {}", config.nodeId());
        if (metadata instanceof QuorumMetadataStore && config.quorumVoters().size() > 1)
        {
            // In a cluster, hand leadership to the other in-sync replicas first so clients move on at once.
            final boolean moved = ((QuorumMetadataStore)metadata).moveLeadershipAway(
                config.controlledShutdownTimeoutMs() / 2);
            LOG.info("Controlled shutdown of broker {}: {}", config.nodeId(), moved ? "leadership moved to other "
                + "replicas" : "leadership did not move in time; stopping anyway");
        }
        if (socketServer != null)
        {
            socketServer.stopAccepting();
        }
        if (fetchPurgatory != null)
        {
            fetchPurgatory.close();
        }
        if (producePurgatory != null)
        {
            producePurgatory.close();
        }
        if (coordinator != null)
        {
            coordinator.close();
        }
        if (socketServer != null)
        {
            socketServer.close();
        }
        if (housekeeping != null)
        {
            housekeeping.shutdownNow();
        }
        if (replicas != null)
        {
            replicas.stopFetchers();
            replicas.writeProducerSnapshots();
        }
        if (metadata != null)
        {
            metadata.close();
        }
        if (logManager != null)
        {
            logManager.shutdown();
        }
        if (metrics != null)
        {
            metrics.close();
        }
        LOG.info("Broker {} shut down cleanly in {} ms", config.nodeId(), (System.nanoTime() - start) / 1_000_000);
    }

    @Override
    public void close()
    {
        shutdown();
    }
}

package io.sluice.broker.config;

import io.sluice.common.config.ConfigDef;
import io.sluice.common.errors.ConfigException;
import io.sluice.storage.log.LogConfig;
import io.sluice.storage.log.LogManagerConfig;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static io.sluice.common.config.ConfigDef.Type.BOOLEAN;
import static io.sluice.common.config.ConfigDef.Type.INT;
import static io.sluice.common.config.ConfigDef.Type.LONG;

/**
 * The broker's settings, with Kafka's key names. Every key is checked at start: an unknown key or a bad value stops
 * the broker with a message naming it. Broker-level log settings ({@code log.segment.bytes}, ...) become the
 * default {@link LogConfig} of every topic; the log manager's own keys pass through unchanged.
 */
public final class BrokerConfig
{
    public static final String NODE_ID = "node.id";
    public static final String LISTENERS = "listeners";
    public static final String HTTP_PORT = "http.port";
    public static final String SOCKET_REQUEST_MAX_BYTES = "socket.request.max.bytes";
    public static final String CONNECTIONS_MAX_IDLE_MS = "connections.max.idle.ms";
    public static final String MAX_CONNECTIONS = "max.connections";
    public static final String NUM_NETWORK_THREADS = "num.network.threads";
    public static final String NUM_PARTITIONS = "num.partitions";
    public static final String DEFAULT_REPLICATION_FACTOR = "default.replication.factor";
    public static final String AUTO_CREATE_TOPICS_ENABLE = "auto.create.topics.enable";
    public static final String DELETE_TOPIC_ENABLE = "delete.topic.enable";
    public static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";
    public static final String CONTROLLED_SHUTDOWN_TIMEOUT_MS = "controlled.shutdown.timeout.ms";
    public static final String PRODUCER_ID_EXPIRATION_MS = "producer.id.expiration.ms";
    public static final String CONTROLLER_QUORUM_VOTERS = "controller.quorum.voters";
    public static final String BROKER_HEARTBEAT_INTERVAL_MS = "broker.heartbeat.interval.ms";
    public static final String BROKER_SESSION_TIMEOUT_MS = "broker.session.timeout.ms";
    public static final String REPLICA_LAG_TIME_MAX_MS = "replica.lag.time.max.ms";
    public static final String AUTO_LEADER_REBALANCE_ENABLE = "auto.leader.rebalance.enable";
    public static final String LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS = "leader.imbalance.check.interval.seconds";
    public static final String LEADER_IMBALANCE_PER_BROKER_PERCENTAGE = "leader.imbalance.per.broker.percentage";
    public static final String UNCLEAN_LEADER_ELECTION_ENABLE = "unclean.leader.election.enable";
    public static final String GROUP_SESSION_TIMEOUT_MS = "group.consumer.session.timeout.ms";
    public static final String GROUP_HEARTBEAT_INTERVAL_MS = "group.consumer.heartbeat.interval.ms";
    public static final String GROUP_MAX_SIZE = "group.consumer.max.size";
    public static final String OFFSETS_TOPIC_NUM_PARTITIONS = "offsets.topic.num.partitions";
    public static final String OFFSETS_TOPIC_REPLICATION_FACTOR = "offsets.topic.replication.factor";
    public static final String OFFSETS_TOPIC_SEGMENT_BYTES = "offsets.topic.segment.bytes";
    public static final String OFFSETS_RETENTION_MINUTES = "offsets.retention.minutes";
    public static final String OFFSETS_RETENTION_CHECK_INTERVAL_MS = "offsets.retention.check.interval.ms";
    public static final String OFFSET_METADATA_MAX_BYTES = "offset.metadata.max.bytes";
    public static final String OFFSETS_COMMIT_TIMEOUT_MS = "offsets.commit.timeout.ms";

    /** Broker-level log keys and the topic-level keys they set the default of, as in Kafka. */
    private static final Map<String, String> LOG_DEFAULTS = new LinkedHashMap<>();

    static
    {
        LOG_DEFAULTS.put("log.segment.bytes", LogConfig.SEGMENT_BYTES);
        LOG_DEFAULTS.put("log.roll.ms", LogConfig.SEGMENT_MS);
        LOG_DEFAULTS.put("log.index.size.max.bytes", LogConfig.SEGMENT_INDEX_BYTES);
        LOG_DEFAULTS.put("log.index.interval.bytes", LogConfig.INDEX_INTERVAL_BYTES);
        LOG_DEFAULTS.put("log.flush.interval.messages", LogConfig.FLUSH_MESSAGES);
        LOG_DEFAULTS.put("log.flush.interval.ms", LogConfig.FLUSH_MS);
        LOG_DEFAULTS.put("log.retention.ms", LogConfig.RETENTION_MS);
        LOG_DEFAULTS.put("log.retention.bytes", LogConfig.RETENTION_BYTES);
        LOG_DEFAULTS.put("log.cleanup.policy", LogConfig.CLEANUP_POLICY);
        LOG_DEFAULTS.put("log.cleaner.delete.retention.ms", LogConfig.DELETE_RETENTION_MS);
        LOG_DEFAULTS.put("log.cleaner.min.compaction.lag.ms", LogConfig.MIN_COMPACTION_LAG_MS);
        LOG_DEFAULTS.put("log.cleaner.min.cleanable.ratio", LogConfig.MIN_CLEANABLE_DIRTY_RATIO);
        LOG_DEFAULTS.put("message.max.bytes", LogConfig.MAX_MESSAGE_BYTES);
        LOG_DEFAULTS.put("log.segment.delete.delay.ms", LogConfig.FILE_DELETE_DELAY_MS);
    }

    private static final ConfigDef BROKER = new ConfigDef()
        .define(NODE_ID, INT, 0, ConfigDef.atLeast(0), "This broker's id, unique in the cluster.")
        .define(LISTENERS, ConfigDef.Type.STRING, "127.0.0.1:9092",
            "host:port the broker listens on (PLAINTEXT:// prefix allowed); port 0 picks a free one.")
        .define(HTTP_PORT, INT, 9644, ConfigDef.between(0, 65535),
            "Port of the HTTP endpoint serving /metrics, on the listener's host; 0 picks a free one.")
        .define(SOCKET_REQUEST_MAX_BYTES, INT, 100 * 1024 * 1024, ConfigDef.atLeast(1024),
            "Largest request frame; a larger one closes the connection.")
        .define(CONNECTIONS_MAX_IDLE_MS, LONG, 600_000L, ConfigDef.atLeast(1),
            "Close connections idle this long.")
        .define(MAX_CONNECTIONS, INT, Integer.MAX_VALUE, ConfigDef.atLeast(1),
            "Connections beyond this are closed at once.")
        .define(NUM_NETWORK_THREADS, INT, Math.max(2, Runtime.getRuntime().availableProcessors()),
            ConfigDef.atLeast(1), "Netty event loop threads; requests are served on them.")
        .define(NUM_PARTITIONS, INT, 1, ConfigDef.atLeast(1), "Partitions of an auto-created topic.")
        .define(DEFAULT_REPLICATION_FACTOR, INT, 1, ConfigDef.atLeast(1), "Replicas of an auto-created topic.")
        .define(AUTO_CREATE_TOPICS_ENABLE, BOOLEAN, true, "Create a topic when a client first asks for it.")
        .define(DELETE_TOPIC_ENABLE, BOOLEAN, true, "Allow topics to be deleted.")
        .define(MIN_INSYNC_REPLICAS, INT, 1, ConfigDef.atLeast(1),
            "acks=all needs at least this many in-sync replicas.")
        .define(CONTROLLED_SHUTDOWN_TIMEOUT_MS, LONG, 30_000L, ConfigDef.atLeast(0),
            "How long a clean shutdown may take before the broker stops anyway.")
        .define(PRODUCER_ID_EXPIRATION_MS, LONG, 86_400_000L, ConfigDef.atLeast(1),
            "Forget an idle producer's de-duplication state after this long.")
        .define(CONTROLLER_QUORUM_VOTERS, ConfigDef.Type.STRING, "",
            "The metadata quorum as id@host:port,...; empty: this broker alone, as a one-voter quorum.")
        .define(BROKER_HEARTBEAT_INTERVAL_MS, INT, 2_000, ConfigDef.atLeast(10),
            "How often a broker tells the metadata quorum it is alive.")
        .define(BROKER_SESSION_TIMEOUT_MS, INT, 9_000, ConfigDef.atLeast(100),
            "A broker without a heartbeat for this long is fenced: its partitions get new leaders from their ISR.")
        .define(REPLICA_LAG_TIME_MAX_MS, LONG, 30_000L, ConfigDef.atLeast(1),
            "A follower that has not caught up with its leader for this long leaves the ISR.")
        .define(AUTO_LEADER_REBALANCE_ENABLE, BOOLEAN, true,
            "The active controller moves leadership back to each partition's preferred replica once it is in sync.")
        .define(LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS, LONG, 300L, ConfigDef.atLeast(1),
            "How often the active controller looks for leadership to move back to preferred replicas.")
        .define(LEADER_IMBALANCE_PER_BROKER_PERCENTAGE, INT, 10, ConfigDef.between(0, 100),
            "A broker gets its preferred partitions back once others lead more than this percentage of them.")
        .define(UNCLEAN_LEADER_ELECTION_ENABLE, BOOLEAN, false,
            "Let a replica outside the ISR lead a partition whose in-sync replicas are all down: the partition "
                + "is available again, but records only they held are lost.")
        .define(GROUP_SESSION_TIMEOUT_MS, INT, 45_000, ConfigDef.atLeast(1),
            "A group member that sends no heartbeat for this long is removed and its partitions reassigned.")
        .define(GROUP_HEARTBEAT_INTERVAL_MS, INT, 500, ConfigDef.atLeast(1),
            "How often a settled group member heartbeats; a rebalance reaches every member within about this "
                + "long (Kafka's default is 5000; shorter here so partitions move within a second).")
        .define(GROUP_MAX_SIZE, INT, Integer.MAX_VALUE, ConfigDef.atLeast(1), "Most members of one group.")
        .define(OFFSETS_TOPIC_NUM_PARTITIONS, INT, 50, ConfigDef.between(1, 10_000),
            "Partitions of __consumer_offsets; fixed once the topic exists.")
        .define(OFFSETS_TOPIC_REPLICATION_FACTOR, INT, 3, ConfigDef.between(1, Short.MAX_VALUE),
            "Replicas of __consumer_offsets, capped at the number of live brokers when it is created.")
        .define(OFFSETS_TOPIC_SEGMENT_BYTES, INT, 100 * 1024 * 1024, ConfigDef.atLeast(1024 * 1024),
            "Segment size of __consumer_offsets, kept small so compaction and loading stay fast.")
        .define(OFFSETS_RETENTION_MINUTES, INT, 10_080, ConfigDef.atLeast(1),
            "A group with no members for this long is deleted with its committed offsets.")
        .define(OFFSETS_RETENTION_CHECK_INTERVAL_MS, LONG, 600_000L, ConfigDef.atLeast(1),
            "How often to look for groups past offsets.retention.minutes.")
        .define(OFFSET_METADATA_MAX_BYTES, INT, 4096, ConfigDef.atLeast(0),
            "Longest metadata string a committed offset may carry.")
        .define(OFFSETS_COMMIT_TIMEOUT_MS, INT, 5_000, ConfigDef.atLeast(1),
            "How long a commit waits for its records to be replicated before it fails.");

    private final Map<String, Object> values;
    private final LogConfig logDefaults;
    private final LogManagerConfig logManagerConfig;

    public BrokerConfig(final Map<String, ?> props)
    {
        final Map<String, Object> brokerProps = new HashMap<>();
        final Map<String, Object> logProps = new HashMap<>();
        final Map<String, Object> managerProps = new HashMap<>();
        for (final Map.Entry<String, ?> entry : props.entrySet())
        {
            final String key = entry.getKey();
            if (LOG_DEFAULTS.containsKey(key))
            {
                logProps.put(LOG_DEFAULTS.get(key), entry.getValue());
            }
            else if ("log.dir".equals(key))
            {
                managerProps.put(LogManagerConfig.LOG_DIRS, entry.getValue());
            }
            else if (LogManagerConfig.DEFINITION.keys().containsKey(key))
            {
                managerProps.put(key, entry.getValue());
            }
            else
            {
                brokerProps.put(key, entry.getValue());
            }
        }
        this.values = BROKER.parse(brokerProps, false);
        this.logDefaults = renameErrors(() -> new LogConfig(logProps));
        this.logManagerConfig = new LogManagerConfig(managerProps);
        final int maxMessage = logDefaults.maxMessageBytes;
        if (socketRequestMaxBytes() < maxMessage)
        {
            throw new ConfigException(SOCKET_REQUEST_MAX_BYTES + " (" + socketRequestMaxBytes()
                + ") must be at least message.max.bytes (" + maxMessage + ")");
        }
        listenerHost();
        listenerPort();
        quorumVoters();
    }

    private static LogConfig renameErrors(final java.util.function.Supplier<LogConfig> parse)
    {
        try
        {
            return parse.get();
        }
        catch (final ConfigException e)
        {
            String message = e.getMessage();
            for (final Map.Entry<String, String> entry : LOG_DEFAULTS.entrySet())
            {
                message = message.replace("configuration " + entry.getValue(), "configuration " + entry.getKey());
            }
            throw new ConfigException(message);
        }
    }

    /** Reads a properties file and applies {@code key=value} overrides on top. */
    public static BrokerConfig load(final Path file, final List<String> overrides)
    {
        final Map<String, Object> props = new LinkedHashMap<>();
        if (file != null)
        {
            final Properties properties = new Properties();
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8))
            {
                properties.load(reader);
            }
            catch (final IOException e)
            {
                throw new ConfigException("Cannot read config file " + file + ": " + e.getMessage());
            }
            properties.stringPropertyNames().forEach(k -> props.put(k, properties.getProperty(k).trim()));
        }
        for (final String override : overrides)
        {
            final int eq = override.indexOf('=');
            if (eq <= 0)
            {
                throw new ConfigException("Override '" + override + "' is not of the form key=value");
            }
            props.put(override.substring(0, eq).trim(), override.substring(eq + 1).trim());
        }
        return new BrokerConfig(props);
    }

    public int nodeId()
    {
        return (Integer)values.get(NODE_ID);
    }

    private String listener()
    {
        String listener = ((String)values.get(LISTENERS)).trim();
        final int scheme = listener.indexOf("://");
        if (scheme >= 0)
        {
            listener = listener.substring(scheme + 3);
        }
        return listener;
    }

    public String listenerHost()
    {
        final String listener = listener();
        final int colon = listener.lastIndexOf(':');
        if (colon <= 0)
        {
            throw new ConfigException("Invalid value '" + values.get(LISTENERS) + "' for configuration " + LISTENERS
                + ": expected host:port");
        }
        return listener.substring(0, colon);
    }

    public int listenerPort()
    {
        final String listener = listener();
        try
        {
            final int port = Integer.parseInt(listener.substring(listener.lastIndexOf(':') + 1));
            if (port < 0 || port > 65535)
            {
                throw new NumberFormatException();
            }
            return port;
        }
        catch (final NumberFormatException e)
        {
            throw new ConfigException("Invalid value '" + values.get(LISTENERS) + "' for configuration " + LISTENERS
                + ": the port must be a number from 0 to 65535");
        }
    }

    public int httpPort()
    {
        return (Integer)values.get(HTTP_PORT);
    }

    public int socketRequestMaxBytes()
    {
        return (Integer)values.get(SOCKET_REQUEST_MAX_BYTES);
    }

    public long connectionsMaxIdleMs()
    {
        return (Long)values.get(CONNECTIONS_MAX_IDLE_MS);
    }

    public int maxConnections()
    {
        return (Integer)values.get(MAX_CONNECTIONS);
    }

    public int numNetworkThreads()
    {
        return (Integer)values.get(NUM_NETWORK_THREADS);
    }

    public int numPartitions()
    {
        return (Integer)values.get(NUM_PARTITIONS);
    }

    public int defaultReplicationFactor()
    {
        return (Integer)values.get(DEFAULT_REPLICATION_FACTOR);
    }

    public boolean autoCreateTopicsEnable()
    {
        return (Boolean)values.get(AUTO_CREATE_TOPICS_ENABLE);
    }

    public boolean deleteTopicEnable()
    {
        return (Boolean)values.get(DELETE_TOPIC_ENABLE);
    }

    public int minInsyncReplicas()
    {
        return (Integer)values.get(MIN_INSYNC_REPLICAS);
    }

    public long controlledShutdownTimeoutMs()
    {
        return (Long)values.get(CONTROLLED_SHUTDOWN_TIMEOUT_MS);
    }

    public long producerIdExpirationMs()
    {
        return (Long)values.get(PRODUCER_ID_EXPIRATION_MS);
    }

    /** The voters of the metadata quorum: the configured ones, or this broker alone on a port of its own. */
    public java.util.List<io.sluice.broker.metadata.quorum.QuorumMetadataStore.Voter> quorumVoters()
    {
        final String voters = ((String)values.get(CONTROLLER_QUORUM_VOTERS)).trim();
        if (voters.isEmpty())
        {
            return java.util.List.of(new io.sluice.broker.metadata.quorum.QuorumMetadataStore.Voter(nodeId(),
                listenerHost(), 0));
        }
        return io.sluice.broker.metadata.quorum.QuorumMetadataStore.Voter.parseList(voters);
    }

    public long replicaLagTimeMaxMs()
    {
        return (Long)values.get(REPLICA_LAG_TIME_MAX_MS);
    }

    public int brokerHeartbeatIntervalMs()
    {
        return (Integer)values.get(BROKER_HEARTBEAT_INTERVAL_MS);
    }

    public io.sluice.broker.metadata.quorum.ControllerConfig controllerConfig()
    {
        return new io.sluice.broker.metadata.quorum.ControllerConfig(brokerHeartbeatIntervalMs(),
            brokerSessionTimeoutMs(), (Boolean)values.get(AUTO_LEADER_REBALANCE_ENABLE),
            (Long)values.get(LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS) * 1000,
            (Integer)values.get(LEADER_IMBALANCE_PER_BROKER_PERCENTAGE),
            (Boolean)values.get(UNCLEAN_LEADER_ELECTION_ENABLE));
    }

    public int brokerSessionTimeoutMs()
    {
        return (Integer)values.get(BROKER_SESSION_TIMEOUT_MS);
    }

    /** The group coordinator's settings. */
    public io.sluice.broker.group.GroupConfig groupConfig()
    {
        return new io.sluice.broker.group.GroupConfig((Integer)values.get(GROUP_SESSION_TIMEOUT_MS),
            (Integer)values.get(GROUP_HEARTBEAT_INTERVAL_MS), (Integer)values.get(GROUP_MAX_SIZE),
            (Integer)values.get(OFFSETS_TOPIC_NUM_PARTITIONS),
            (short)(int)(Integer)values.get(OFFSETS_TOPIC_REPLICATION_FACTOR),
            (Integer)values.get(OFFSETS_TOPIC_SEGMENT_BYTES),
            (Integer)values.get(OFFSETS_RETENTION_MINUTES) * 60_000L,
            (Long)values.get(OFFSETS_RETENTION_CHECK_INTERVAL_MS), (Integer)values.get(OFFSET_METADATA_MAX_BYTES),
            (Integer)values.get(OFFSETS_COMMIT_TIMEOUT_MS));
    }

    /** The default config of every topic's logs. */
    public LogConfig logDefaults()
    {
        return logDefaults;
    }

    public LogManagerConfig logManagerConfig()
    {
        return logManagerConfig;
    }
}

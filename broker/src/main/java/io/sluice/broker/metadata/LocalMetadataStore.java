package io.sluice.broker.metadata;

import io.sluice.common.errors.ApiException;
import io.sluice.common.errors.StorageException;
import io.sluice.common.protocol.Errors;
import io.sluice.storage.checkpoint.CheckpointFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The metadata of a single-broker cluster, kept in files in the first data directory: {@code meta.properties}
 * (cluster id, node id) and {@code topics.metadata} (one line per topic, written atomically). Files, not
 * directories, so the log manager never mistakes them for partitions. The broker
 * leads every partition with epoch 0. Thread-safe: changes are serialized and listeners called in order.
 */
public final class LocalMetadataStore implements MetadataStore
{
    private static final Logger LOG = LoggerFactory.getLogger(LocalMetadataStore.class);

    private volatile BrokerRegistration self;
    private final CheckpointFile topicsFile;
    private final String clusterId;
    private final List<Consumer<MetadataImage>> listeners = new CopyOnWriteArrayList<>();
    private volatile MetadataImage image;

    /**
     * @param logsOnDisk partitions found in the data directories; if the topics file is missing they become
     *                   topics again, so losing that file never makes the broker delete data.
     */
    public LocalMetadataStore(final Path dataDir, final BrokerRegistration self,
        final java.util.Collection<io.sluice.common.TopicPartition> logsOnDisk)
    {
        this.self = self;
        this.clusterId = loadOrCreateClusterId(dataDir, self.id());
        this.topicsFile = new CheckpointFile(dataDir.resolve("topics.metadata"));
        final Map<String, TopicImage> topics = new HashMap<>();
        final boolean fileExists = Files.exists(topicsFile.file());
        for (final String line : topicsFile.read())
        {
            final TopicImage topic = parse(line);
            topics.put(topic.name(), topic);
        }
        if (!fileExists && !logsOnDisk.isEmpty())
        {
            final Map<String, Integer> counts = new HashMap<>();
            for (final io.sluice.common.TopicPartition tp : logsOnDisk)
            {
                counts.merge(tp.topic(), tp.partition() + 1, Math::max);
            }
            counts.forEach((name, partitions) -> topics.put(name, newTopic(name, partitions, Map.of())));
            LOG.warn("{} is missing but {} partition log(s) are on disk: recreated topics {} from them (their "
                + "per-topic configs are lost)", topicsFile.file(), logsOnDisk.size(), counts.keySet());
            persist(topics);
        }
        this.image = new MetadataImage(1, clusterId, self.id(), Map.of(self.id(), self), topics);
        LOG.info("Loaded metadata of cluster {}: {} topic(s)", clusterId, topics.size());
    }

    private static String loadOrCreateClusterId(final Path dataDir, final int nodeId)
    {
        final Path file = dataDir.resolve("meta.properties");
        try
        {
            if (Files.exists(file))
            {
                final java.util.Properties props = new java.util.Properties();
                try (var reader = Files.newBufferedReader(file, StandardCharsets.UTF_8))
                {
                    props.load(reader);
                }
                final String storedNode = props.getProperty("node.id");
                if (storedNode != null && Integer.parseInt(storedNode.trim()) != nodeId)
                {
                    throw new StorageException("Data directory " + dataDir + " belongs to node " + storedNode
                        + ", not to node " + nodeId + " (see " + file + ")");
                }
                return props.getProperty("cluster.id");
            }
            final String id = UUID.randomUUID().toString();
            Files.writeString(file, "version=1\ncluster.id=" + id + "\nnode.id=" + nodeId + "\n",
                StandardCharsets.UTF_8);
            return id;
        }
        catch (final IOException | NumberFormatException e)
        {
            throw new StorageException("Cannot read or write " + file + ": " + e, e);
        }
    }

    private TopicImage parse(final String line)
    {
        final String[] parts = line.split(" ", -1);
        if (parts.length != 3)
        {
            throw new StorageException("Malformed line in " + topicsFile.file() + ": '" + line + "'");
        }
        final int partitions = Integer.parseInt(parts[1]);
        final Map<String, String> configs = new LinkedHashMap<>();
        if (!parts[2].isEmpty())
        {
            for (final String kv : parts[2].split("&"))
            {
                final int eq = kv.indexOf('=');
                configs.put(decode(kv.substring(0, eq)), decode(kv.substring(eq + 1)));
            }
        }
        return newTopic(parts[0], partitions, configs);
    }

    private TopicImage newTopic(final String name, final int partitions, final Map<String, String> configs)
    {
        final List<PartitionImage> images = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++)
        {
            images.add(new PartitionImage(p, List.of(self.id()), self.id(), 0, List.of(self.id())));
        }
        return new TopicImage(name, Map.copyOf(configs), List.copyOf(images));
    }

    private static String encode(final String s)
    {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String decode(final String s)
    {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /** Records the endpoint actually bound (when the configured port was 0). */
    public synchronized void updateSelf(final BrokerRegistration registration)
    {
        self = registration;
        image = new MetadataImage(image.version() + 1, clusterId, self.id(), Map.of(self.id(), self), image.topics());
    }

    @Override
    public MetadataImage image()
    {
        return image;
    }

    @Override
    public synchronized void addListener(final Consumer<MetadataImage> listener)
    {
        listeners.add(listener);
        listener.accept(image);
    }

    @Override
    public synchronized TopicImage createTopic(final String name, final int partitions, final int replicationFactor,
        final Map<String, String> configs)
    {
        if (image.topic(name) != null)
        {
            throw new ApiException(Errors.TOPIC_ALREADY_EXISTS.code(), false, "Topic '" + name + "' already exists");
        }
        if (partitions < 1)
        {
            throw new ApiException(Errors.INVALID_PARTITIONS.code(), false,
                "Number of partitions must be at least 1, got " + partitions);
        }
        if (replicationFactor < 1 || replicationFactor > image.brokers().size())
        {
            throw new ApiException(Errors.INVALID_REPLICATION_FACTOR.code(), false, "Replication factor "
                + replicationFactor + " is not possible with " + image.brokers().size() + " broker(s)");
        }
        final TopicImage topic = newTopic(name, partitions, configs);
        final Map<String, TopicImage> topics = new HashMap<>(image.topics());
        topics.put(name, topic);
        publish(topics);
        return topic;
    }

    @Override
    public synchronized boolean deleteTopic(final String name)
    {
        if (image.topic(name) == null)
        {
            return false;
        }
        final Map<String, TopicImage> topics = new HashMap<>(image.topics());
        topics.remove(name);
        publish(topics);
        return true;
    }

    private void publish(final Map<String, TopicImage> topics)
    {
        persist(topics);
        image = new MetadataImage(image.version() + 1, clusterId, self.id(), image.brokers(), topics);
        for (final Consumer<MetadataImage> listener : listeners)
        {
            listener.accept(image);
        }
    }

    private void persist(final Map<String, TopicImage> topics)
    {
        final List<String> lines = new ArrayList<>();
        for (final TopicImage topic : topics.values())
        {
            final StringBuilder configs = new StringBuilder();
            topic.configs().forEach((k, v) ->
            {
                if (configs.length() > 0)
                {
                    configs.append('&');
                }
                configs.append(encode(k)).append('=').append(encode(v));
            });
            lines.add(topic.name() + " " + topic.partitionCount() + " " + configs);
        }
        topicsFile.write(lines);
    }

    @Override
    public void close()
    {
        listeners.clear();
    }
}

package io.sluice.broker.metadata;

import io.sluice.common.TopicPartition;
import io.sluice.common.errors.ApiException;
import io.sluice.common.errors.StorageException;
import io.sluice.common.protocol.Errors;
import io.sluice.storage.checkpoint.CheckpointFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Makes sure a single broker's metadata knows every topic its disk holds: topics from the {@code topics.metadata}
 * file that single-node brokers wrote before the metadata quorum (with their configs), and partitions whose logs
 * are on disk but whose topic the metadata lacks (its files lost). Without this, the replica manager would take
 * those logs for deleted topics and remove them.
 */
public final class LegacyTopics
{
    private static final Logger LOG = LoggerFactory.getLogger(LegacyTopics.class);
    private static final String TOPICS_FILE = "topics.metadata";

    private LegacyTopics()
    {
    }

    /** Creates, through {@code store}, each topic found on disk that it does not know. */
    public static void adopt(final MetadataStore store, final Path dataDir, final Collection<TopicPartition> logsOnDisk)
    {
        final Map<String, Integer> partitions = new TreeMap<>();
        final Map<String, Map<String, String>> configs = new TreeMap<>();
        final Path file = dataDir.resolve(TOPICS_FILE);
        if (Files.exists(file))
        {
            for (final String line : new CheckpointFile(file).read())
            {
                final String[] parts = line.split(" ", -1);
                if (parts.length != 3)
                {
                    throw new StorageException("Malformed line in " + file + ": '" + line + "'");
                }
                partitions.put(parts[0], Integer.parseInt(parts[1]));
                configs.put(parts[0], parseConfigs(parts[2]));
            }
        }
        for (final TopicPartition tp : logsOnDisk)
        {
            partitions.merge(tp.topic(), tp.partition() + 1, Math::max);
        }
        for (final Map.Entry<String, Integer> topic : partitions.entrySet())
        {
            if (store.image().topic(topic.getKey()) != null)
            {
                continue;
            }
            try
            {
                store.createTopic(topic.getKey(), topic.getValue(), 1, configs.getOrDefault(topic.getKey(), Map.of()));
                LOG.warn("Adopted topic {} ({} partition(s){}) found on disk but missing from the metadata; recreated "
                    + "topics keep their logs", topic.getKey(), topic.getValue(), configs.containsKey(topic.getKey())
                    ? ", configs from " + TOPICS_FILE : ", per-topic configs unknown");
            }
            catch (final ApiException e)
            {
                if (e.code() != Errors.TOPIC_ALREADY_EXISTS.code())
                {
                    throw e;
                }
            }
        }
        if (Files.exists(file))
        {
            try
            {
                Files.move(file, dataDir.resolve(TOPICS_FILE + ".migrated"), StandardCopyOption.REPLACE_EXISTING);
            }
            catch (final IOException e)
            {
                throw new StorageException("Could not retire " + file + " after migrating it: " + e, e);
            }
        }
    }

    private static Map<String, String> parseConfigs(final String encoded)
    {
        final Map<String, String> configs = new LinkedHashMap<>();
        if (!encoded.isEmpty())
        {
            for (final String kv : encoded.split("&"))
            {
                final int eq = kv.indexOf('=');
                configs.put(URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return configs;
    }
}

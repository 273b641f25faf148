package io.sluice.broker.server;

import io.sluice.broker.config.BrokerConfig;
import io.sluice.broker.metadata.MetadataStore;
import io.sluice.broker.metadata.TopicImage;
import io.sluice.common.TopicNames;
import io.sluice.common.errors.ApiException;
import io.sluice.common.errors.ConfigException;
import io.sluice.common.errors.InvalidTopicException;
import io.sluice.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/** Validates and creates topics, for CreateTopics and for auto-creation on metadata requests. */
public final class TopicCreator
{
    private static final Logger LOG = LoggerFactory.getLogger(TopicCreator.class);

    private final BrokerConfig config;
    private final MetadataStore metadata;

    public TopicCreator(final BrokerConfig config, final MetadataStore metadata)
    {
        this.config = config;
        this.metadata = metadata;
    }

    /**
     * Checks the name, counts and configs; with {@code validateOnly} stops there. -1 partitions or replication
     * factor means the broker default.
     *
     * @throws ApiException with the error to report for this topic.
     */
    public TopicImage create(final String name, final int partitions, final int replicationFactor,
        final Map<String, String> configs, final boolean validateOnly)
    {
        if (io.sluice.broker.group.OffsetsTopic.NAME.equals(name))
        {
            throw new ApiException(Errors.INVALID_TOPIC_EXCEPTION.code(), false, name + " is internal: the group "
                + "coordinator creates it on first use");
        }
        try
        {
            TopicNames.validate(name);
        }
        catch (final InvalidTopicException e)
        {
            throw new ApiException(Errors.INVALID_TOPIC_EXCEPTION.code(), false, e.getMessage());
        }
        final int count = partitions == -1 ? config.numPartitions() : partitions;
        final int replicas = replicationFactor == -1 ? config.defaultReplicationFactor() : replicationFactor;
        if (count < 1 || count > 100_000)
        {
            throw new ApiException(Errors.INVALID_PARTITIONS.code(), false, "Number of partitions must be from 1 to "
                + "100000, got " + count);
        }
        try
        {
            io.sluice.broker.config.TopicReplicationConfig.validate(configs);
            config.logDefaults().with(io.sluice.broker.config.TopicReplicationConfig.logConfigs(configs));
        }
        catch (final ConfigException e)
        {
            throw new ApiException(Errors.INVALID_CONFIG.code(), false, e.getMessage());
        }
        if (validateOnly)
        {
            if (metadata.image().topic(name) != null)
            {
                throw new ApiException(Errors.TOPIC_ALREADY_EXISTS.code(), false, "Topic '" + name
                    + "' already exists");
            }
            return null;
        }
        final TopicImage topic = metadata.createTopic(name, count, replicas, configs);
        LOG.info("Created topic {} with {} partition(s){}", name, count, configs.isEmpty() ? "" : " and " + configs);
        return topic;
    }
}

package io.sluice.broker.metadata;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A consistent, immutable view of the cluster: brokers, topics and partitions, at one metadata version. Request
 * handlers read the current image without locks; a change produces a new image.
 */
public final class MetadataImage
{
    private final long version;
    private final String clusterId;
    private final int controllerId;
    private final Map<Integer, BrokerRegistration> brokers;
    private final Map<String, TopicImage> topics;

    public MetadataImage(final long version, final String clusterId, final int controllerId,
        final Map<Integer, BrokerRegistration> brokers, final Map<String, TopicImage> topics)
    {
        this.version = version;
        this.clusterId = clusterId;
        this.controllerId = controllerId;
        this.brokers = Collections.unmodifiableMap(new TreeMap<>(brokers));
        this.topics = Collections.unmodifiableMap(new TreeMap<>(topics));
    }

    public long version()
    {
        return version;
    }

    public String clusterId()
    {
        return clusterId;
    }

    public int controllerId()
    {
        return controllerId;
    }

    public Map<Integer, BrokerRegistration> brokers()
    {
        return brokers;
    }

    public Map<String, TopicImage> topics()
    {
        return topics;
    }

    public TopicImage topic(final String name)
    {
        return topics.get(name);
    }

    /** The partition, or null if the topic or partition does not exist. */
    public PartitionImage partition(final String topic, final int partition)
    {
        final TopicImage image = topics.get(topic);
        return image == null || partition < 0 || partition >= image.partitionCount() ? null
            : image.partitions().get(partition);
    }
}

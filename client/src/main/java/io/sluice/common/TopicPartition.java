package io.sluice.common;

import java.util.Objects;

/**
 * A topic name and partition number. Its string form, {@code topic-partition}, is also the partition's directory
 * name on disk, so topic names may contain {@code -} but the partition is always what follows the last one.
 */
public final class TopicPartition implements Comparable<TopicPartition>
{
    private final String topic;
    private final int partition;
    private final int hash;

    public TopicPartition(final String topic, final int partition)
    {
        this.topic = Objects.requireNonNull(topic, "topic");
        if (partition < 0)
        {
            throw new IllegalArgumentException("Partition must not be negative: " + partition);
        }
        this.partition = partition;
        this.hash = 31 * topic.hashCode() + partition;
    }

    public String topic()
    {
        return topic;
    }

    public int partition()
    {
        return partition;
    }

    /** Parses {@code topic-partition}; throws {@link IllegalArgumentException} when it is not of that form. */
    public static TopicPartition parse(final String name)
    {
        final int dash = name.lastIndexOf('-');
        if (dash <= 0 || dash == name.length() - 1)
        {
            throw new IllegalArgumentException("'" + name + "' is not of the form topic-partition");
        }
        try
        {
            return new TopicPartition(name.substring(0, dash), Integer.parseInt(name.substring(dash + 1)));
        }
        catch (final NumberFormatException e)
        {
            throw new IllegalArgumentException("'" + name + "' is not of the form topic-partition");
        }
    }

    @Override
    public int compareTo(final TopicPartition other)
    {
        final int byTopic = topic.compareTo(other.topic);
        return byTopic != 0 ? byTopic : Integer.compare(partition, other.partition);
    }

    @Override
    public boolean equals(final Object o)
    {
        if (this == o)
        {
            return true;
        }
        if (!(o instanceof TopicPartition))
        {
            return false;
        }
        final TopicPartition other = (TopicPartition)o;
        return partition == other.partition && topic.equals(other.topic);
    }

    @Override
    public int hashCode()
    {
        return hash;
    }

    @Override
    public String toString()
    {
        return topic + "-" + partition;
    }
}

package io.sluice.common.protocol.message;

import io.sluice.common.TopicPartition;
import io.sluice.common.protocol.MessageReader;
import io.sluice.common.protocol.MessageWriter;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** A topic and some of its partition numbers: how group messages carry sets of partitions compactly. */
public record TopicPartitionsData(String topic, List<Integer> partitions)
{
    /** Groups partitions by topic, sorted, so equal sets encode to equal bytes. */
    public static List<TopicPartitionsData> of(final Collection<TopicPartition> partitions)
    {
        final Map<String, Set<Integer>> byTopic = new TreeMap<>();
        for (final TopicPartition tp : partitions)
        {
            byTopic.computeIfAbsent(tp.topic(), t -> new TreeSet<>()).add(tp.partition());
        }
        final List<TopicPartitionsData> result = new ArrayList<>(byTopic.size());
        byTopic.forEach((topic, numbers) -> result.add(new TopicPartitionsData(topic, new ArrayList<>(numbers))));
        return result;
    }

    /** The partitions as a set; null stays null. */
    public static Set<TopicPartition> toSet(final List<TopicPartitionsData> data)
    {
        if (data == null)
        {
            return null;
        }
        final Set<TopicPartition> result = new java.util.HashSet<>();
        for (final TopicPartitionsData topic : data)
        {
            for (final int p : topic.partitions)
            {
                result.add(new TopicPartition(topic.topic, p));
            }
        }
        return result;
    }

    /** Writes a nullable list. */
    public static void write(final MessageWriter writer, final List<TopicPartitionsData> data)
    {
        if (data == null)
        {
            writer.writeArrayLength(-1);
            return;
        }
        writer.writeArrayLength(data.size());
        for (final TopicPartitionsData topic : data)
        {
            writer.writeString(topic.topic).writeArrayLength(topic.partitions.size());
            for (final int p : topic.partitions)
            {
                writer.writeInt(p);
            }
        }
    }

    /** Reads a nullable list. */
    public static List<TopicPartitionsData> read(final MessageReader reader)
    {
        final int count = reader.readArrayLength(6);
        if (count < 0)
        {
            return null;
        }
        final List<TopicPartitionsData> result = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            final String topic = reader.readRequiredString("topic name");
            final int n = reader.readArrayLength(4);
            final List<Integer> partitions = new ArrayList<>(Math.max(0, n));
            for (int p = 0; p < n; p++)
            {
                partitions.add(reader.readInt());
            }
            result.add(new TopicPartitionsData(topic, partitions));
        }
        return result;
    }

    /** Writes a nullable list of strings. */
    public static void writeStrings(final MessageWriter writer, final List<String> values)
    {
        if (values == null)
        {
            writer.writeArrayLength(-1);
            return;
        }
        writer.writeArrayLength(values.size());
        for (final String value : values)
        {
            writer.writeString(value);
        }
    }

    /** Reads a nullable list of non-null strings. */
    public static List<String> readStrings(final MessageReader reader, final String field)
    {
        final int count = reader.readArrayLength(2);
        if (count < 0)
        {
            return null;
        }
        final List<String> values = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            values.add(reader.readRequiredString(field));
        }
        return values;
    }
}

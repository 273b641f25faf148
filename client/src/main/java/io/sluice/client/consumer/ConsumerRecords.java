package io.sluice.client.consumer;

import io.sluice.common.TopicPartition;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The records one {@link Consumer#poll} returned, grouped by partition in offset order. */
public final class ConsumerRecords<K, V> implements Iterable<ConsumerRecord<K, V>>
{
    private final Map<TopicPartition, List<ConsumerRecord<K, V>>> records;
    private final int count;

    ConsumerRecords(final Map<TopicPartition, List<ConsumerRecord<K, V>>> records)
    {
        this.records = records;
        int n = 0;
        for (final List<ConsumerRecord<K, V>> list : records.values())
        {
            n += list.size();
        }
        this.count = n;
    }

    public static <K, V> ConsumerRecords<K, V> empty()
    {
        return new ConsumerRecords<>(Collections.emptyMap());
    }

    public int count()
    {
        return count;
    }

    public boolean isEmpty()
    {
        return count == 0;
    }

    public Set<TopicPartition> partitions()
    {
        return Collections.unmodifiableSet(records.keySet());
    }

    public List<ConsumerRecord<K, V>> records(final TopicPartition tp)
    {
        return records.getOrDefault(tp, Collections.emptyList());
    }

    @Override
    public Iterator<ConsumerRecord<K, V>> iterator()
    {
        final List<ConsumerRecord<K, V>> all = new ArrayList<>(count);
        records.values().forEach(all::addAll);
        return all.iterator();
    }
}

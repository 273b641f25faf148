package io.sluice.broker.group;

import io.sluice.common.TopicPartition;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Spreads partitions evenly over the members subscribed to their topics, keeping every partition where it was
 * when that does not unbalance the group, so a join or a leave moves as few partitions as possible. With equal
 * subscriptions every member ends with the floor or the ceiling of partitions / members.
 */
final class UniformAssignor
{
    private UniformAssignor()
    {
    }

    /**
     * @param subscriptions each member's subscribed topics (already resolved from regexes).
     * @param partitionCounts each subscribed topic's partition count.
     * @param previous the last target assignment, for stickiness.
     */
    static Map<String, Set<TopicPartition>> assign(final Map<String, Set<String>> subscriptions,
        final Map<String, Integer> partitionCounts, final Map<String, Set<TopicPartition>> previous)
    {
        // Sorted member ids make the result deterministic for a given input.
        final Map<String, List<TopicPartition>> result = new TreeMap<>();
        subscriptions.keySet().forEach(member -> result.put(member, new ArrayList<>()));
        if (result.isEmpty())
        {
            return Map.of();
        }
        final Map<String, Integer> quota = quotas(subscriptions, partitionCounts);
        final Set<TopicPartition> placed = new HashSet<>();
        // Keep what each member had, as long as it is still subscribed and within its quota.
        for (final Map.Entry<String, List<TopicPartition>> entry : result.entrySet())
        {
            final Set<TopicPartition> before = previous.getOrDefault(entry.getKey(), Set.of());
            final List<TopicPartition> kept = new ArrayList<>();
            for (final TopicPartition tp : before)
            {
                final Integer count = partitionCounts.get(tp.topic());
                if (count != null && tp.partition() < count && subscriptions.get(entry.getKey()).contains(tp.topic())
                    && !placed.contains(tp))
                {
                    kept.add(tp);
                }
            }
            kept.sort(PARTITION_ORDER);
            final int limit = quota.get(entry.getKey());
            for (int i = 0; i < kept.size() && i < limit; i++)
            {
                entry.getValue().add(kept.get(i));
                placed.add(kept.get(i));
            }
        }
        // Place the rest on the least loaded subscribed member.
        final List<String> topics = new ArrayList<>(partitionCounts.keySet());
        Collections.sort(topics);
        for (final String topic : topics)
        {
            for (int p = 0; p < partitionCounts.get(topic); p++)
            {
                final TopicPartition tp = new TopicPartition(topic, p);
                if (placed.contains(tp))
                {
                    continue;
                }
                String best = null;
                for (final Map.Entry<String, List<TopicPartition>> entry : result.entrySet())
                {
                    if (subscriptions.get(entry.getKey()).contains(topic)
                        && (best == null || entry.getValue().size() < result.get(best).size()))
                    {
                        best = entry.getKey();
                    }
                }
                if (best != null)
                {
                    result.get(best).add(tp);
                    placed.add(tp);
                }
            }
        }
        balance(result, subscriptions);
        final Map<String, Set<TopicPartition>> out = new HashMap<>();
        result.forEach((member, partitions) -> out.put(member, new HashSet<>(partitions)));
        return out;
    }

    /**
     * The most each member should keep in the sticky pass: its fair share of the partitions it can take, so a
     * new member finds room.
     */
    private static Map<String, Integer> quotas(final Map<String, Set<String>> subscriptions,
        final Map<String, Integer> partitionCounts)
    {
        final Map<String, Integer> quota = new HashMap<>();
        for (final Map.Entry<String, Set<String>> entry : subscriptions.entrySet())
        {
            double share = 0;
            for (final String topic : entry.getValue())
            {
                final Integer count = partitionCounts.get(topic);
                if (count == null)
                {
                    continue;
                }
                int sharing = 0;
                for (final Set<String> other : subscriptions.values())
                {
                    sharing += other.contains(topic) ? 1 : 0;
                }
                share += (double)count / sharing;
            }
            quota.put(entry.getKey(), (int)Math.ceil(share - 1e-9));
        }
        return quota;
    }

    /** Moves partitions from the most to the least loaded members while that narrows the gap to more than one. */
    private static void balance(final Map<String, List<TopicPartition>> result,
        final Map<String, Set<String>> subscriptions)
    {
        boolean moved = true;
        while (moved)
        {
            moved = false;
            final List<String> byLoad = new ArrayList<>(result.keySet());
            byLoad.sort(Comparator.comparingInt((String m) -> result.get(m).size()).thenComparing(m -> m));
            outer:
            for (int hi = byLoad.size() - 1; hi > 0; hi--)
            {
                final List<TopicPartition> from = result.get(byLoad.get(hi));
                for (int lo = 0; lo < hi; lo++)
                {
                    final List<TopicPartition> to = result.get(byLoad.get(lo));
                    if (from.size() - to.size() <= 1)
                    {
                        break;
                    }
                    final Set<String> takes = subscriptions.get(byLoad.get(lo));
                    for (int i = from.size() - 1; i >= 0; i--)
                    {
                        if (takes.contains(from.get(i).topic()))
                        {
                            to.add(from.remove(i));
                            moved = true;
                            break outer;
                        }
                    }
                }
            }
        }
    }

    private static final Comparator<TopicPartition> PARTITION_ORDER =
        Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);
}

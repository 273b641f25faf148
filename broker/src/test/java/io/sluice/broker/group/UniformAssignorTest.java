package io.sluice.broker.group;

import io.sluice.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UniformAssignorTest
{
    private static Map<String, Set<String>> members(final int count, final Set<String> topics)
    {
        final Map<String, Set<String>> members = new HashMap<>();
        for (int i = 0; i < count; i++)
        {
            members.put("m" + i, topics);
        }
        return members;
    }

    private static void assertComplete(final Map<String, Set<TopicPartition>> assignment, final int partitions)
    {
        final Set<TopicPartition> seen = new HashSet<>();
        assignment.values().forEach(set -> set.forEach(tp -> assertTrue(seen.add(tp), tp + " assigned twice")));
        assertEquals(partitions, seen.size());
    }

    @Test
    void equalSubscriptionsGetEqualShares()
    {
        final Map<String, Set<TopicPartition>> a = UniformAssignor.assign(members(10, Set.of("t")), Map.of("t", 100),
            Map.of());
        assertComplete(a, 100);
        a.values().forEach(set -> assertEquals(10, set.size()));
        final Map<String, Set<TopicPartition>> b = UniformAssignor.assign(members(3, Set.of("t", "u")),
            Map.of("t", 4, "u", 3), Map.of());
        assertComplete(b, 7);
        b.values().forEach(set -> assertTrue(set.size() == 2 || set.size() == 3, set.toString()));
    }

    @Test
    void aJoinOrALeaveMovesOnlyWhatItMust()
    {
        final Map<String, Set<TopicPartition>> before = UniformAssignor.assign(members(10, Set.of("t")),
            Map.of("t", 100), Map.of());
        final Map<String, Set<TopicPartition>> joined = UniformAssignor.assign(members(11, Set.of("t")),
            Map.of("t", 100), before);
        assertComplete(joined, 100);
        int moved = 0;
        for (int i = 0; i < 10; i++)
        {
            final Set<TopicPartition> lost = new HashSet<>(before.get("m" + i));
            lost.removeAll(joined.get("m" + i));
            moved += lost.size();
        }
        assertEquals(joined.get("m10").size(), moved, "only the newcomer's share moved");
        joined.values().forEach(set -> assertTrue(set.size() == 9 || set.size() == 10));

        final Map<String, Set<String>> nine = members(10, Set.of("t"));
        nine.remove("m3");
        final Map<String, Set<TopicPartition>> left = UniformAssignor.assign(nine, Map.of("t", 100), before);
        assertComplete(left, 100);
        for (final String m : nine.keySet())
        {
            assertTrue(left.get(m).containsAll(before.get(m)), m + " kept its partitions");
        }
    }

    @Test
    void partitionsOnlyGoToMembersSubscribedToTheirTopic()
    {
        final Map<String, Set<String>> subscriptions = Map.of("a", Set.of("t"), "b", Set.of("t", "u"),
            "c", Set.of("u"));
        final Map<String, Set<TopicPartition>> a = UniformAssignor.assign(subscriptions, Map.of("t", 5, "u", 5),
            Map.of());
        assertComplete(a, 10);
        a.forEach((member, set) -> set.forEach(tp -> assertTrue(subscriptions.get(member).contains(tp.topic()))));
        a.values().forEach(set -> assertTrue(set.size() >= 3 && set.size() <= 4, a.toString()));
    }
}

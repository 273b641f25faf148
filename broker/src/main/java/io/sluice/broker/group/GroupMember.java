package io.sluice.broker.group;

import io.sluice.common.TopicPartition;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One member of a consumer group as the coordinator sees it: its subscription, its epoch, the partitions it owns
 * ({@link #assigned}, including those it was asked to give up and has not yet) and its deadlines.
 */
final class GroupMember
{
    final String memberId;
    String clientId;
    String host;
    int epoch;
    int previousEpoch = -1;
    int rebalanceTimeoutMs;
    List<String> subscribedTopics = List.of();
    String subscribedRegex;
    Pattern compiledRegex;
    /** Partitions the member owns as far as the coordinator knows: no other member gets these. */
    final Set<TopicPartition> assigned = new HashSet<>();
    /** Part of {@link #assigned} the member was told to release and has not yet confirmed releasing. */
    final Set<TopicPartition> pendingRevocation = new HashSet<>();
    long sessionDeadlineMs;
    /** When a member holding partitions it must release is removed; Long.MAX_VALUE when it holds none. */
    long revocationDeadlineMs = Long.MAX_VALUE;

    GroupMember(final String memberId)
    {
        this.memberId = memberId;
    }

    boolean subscribesTo(final String topic)
    {
        if (compiledRegex != null)
        {
            return compiledRegex.matcher(topic).matches();
        }
        return subscribedTopics.contains(topic);
    }

    /** What the member may own now: everything assigned but what it must release. */
    Set<TopicPartition> owned()
    {
        final Set<TopicPartition> owned = new HashSet<>(assigned);
        owned.removeAll(pendingRevocation);
        return owned;
    }
}

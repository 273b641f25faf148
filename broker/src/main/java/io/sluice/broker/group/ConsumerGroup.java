package io.sluice.broker.group;

import io.sluice.broker.metadata.MetadataImage;
import io.sluice.broker.metadata.TopicImage;
import io.sluice.common.TopicPartition;
import io.sluice.common.errors.ApiException;
import io.sluice.common.protocol.Errors;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One consumer group's state and its server-side assignment, in the style of Kafka's KIP-848.
 *
 * <p>The group epoch moves whenever membership, a subscription or the subscribed topics change; the target
 * assignment is recomputed for it. Each heartbeat moves its member toward its target: partitions it must give up
 * are taken out of what it is told to own and stay {@link GroupMember#pendingRevocation pending} until the member
 * reports it no longer owns them; only then can another member receive them. So no partition ever has two owners.
 * A member's epoch becomes the assignment epoch once it has nothing left to release. Not thread-safe: the shard
 * that holds the group serialises access.
 */
final class ConsumerGroup
{
    final String groupId;
    private int groupEpoch;
    private int assignmentEpoch;
    private final Map<String, GroupMember> members = new LinkedHashMap<>();
    private Map<String, Set<TopicPartition>> target = Map.of();
    private final Map<TopicPartition, String> owners = new HashMap<>();
    private final Map<TopicPartition, CommittedOffset> offsets = new HashMap<>();
    private Map<String, Integer> subscribedTopics = Map.of();
    private long subscribedImageVersion = -1;
    private long emptySinceMs;

    ConsumerGroup(final String groupId, final int groupEpoch, final long nowMs)
    {
        this.groupId = groupId;
        this.groupEpoch = groupEpoch;
        this.assignmentEpoch = groupEpoch;
        this.emptySinceMs = nowMs;
    }

    int groupEpoch()
    {
        return groupEpoch;
    }

    int assignmentEpoch()
    {
        return assignmentEpoch;
    }

    Map<String, GroupMember> members()
    {
        return members;
    }

    Map<TopicPartition, CommittedOffset> offsets()
    {
        return offsets;
    }

    long emptySinceMs()
    {
        return emptySinceMs;
    }

    GroupState state()
    {
        if (members.isEmpty())
        {
            return GroupState.EMPTY;
        }
        for (final GroupMember member : members.values())
        {
            if (!member.pendingRevocation.isEmpty() || member.epoch != assignmentEpoch
                || !member.assigned.equals(target.getOrDefault(member.memberId, Set.of())))
            {
                return GroupState.RECONCILING;
            }
        }
        return groupEpoch == assignmentEpoch ? GroupState.STABLE : GroupState.RECONCILING;
    }

    /**
     * Handles one heartbeat.
     *
     * @throws ApiException UNKNOWN_MEMBER_ID, FENCED_MEMBER_EPOCH, INVALID_REQUEST, INVALID_REGULAR_EXPRESSION or
     *                      GROUP_MAX_SIZE_REACHED; the group is unchanged then.
     */
    HeartbeatResult heartbeat(final String memberId, final int memberEpoch, final int rebalanceTimeoutMs,
        final List<String> topics, final String regex, final Set<TopicPartition> ownedPartitions,
        final String clientId, final String host, final long nowMs, final MetadataImage image,
        final GroupConfig config)
    {
        GroupMember member;
        if (memberEpoch == 0)
        {
            if (topics == null && regex == null)
            {
                throw new ApiException(Errors.INVALID_REQUEST.code(), false,
                    "A joining member must send its subscription (topic names or a regex)");
            }
            final Pattern compiled = compile(regex);
            if (memberId != null && !memberId.isEmpty() && members.containsKey(memberId))
            {
                // The member lost its state and rejoins under its old id: it owns nothing any more.
                remove(members.get(memberId), nowMs);
            }
            if (members.size() >= config.maxSize())
            {
                throw new ApiException(Errors.GROUP_MAX_SIZE_REACHED.code(), false, "Group " + groupId + " has "
                    + members.size() + " members, the most group.consumer.max.size allows");
            }
            member = new GroupMember(memberId == null || memberId.isEmpty() ? UUID.randomUUID().toString()
                : memberId);
            member.subscribedTopics = topics == null ? List.of() : List.copyOf(topics);
            member.subscribedRegex = regex;
            member.compiledRegex = compiled;
            members.put(member.memberId, member);
            groupEpoch++;
        }
        else
        {
            member = memberId == null ? null : members.get(memberId);
            if (member == null)
            {
                throw new ApiException(Errors.UNKNOWN_MEMBER_ID.code(), false, "Member " + memberId
                    + " is not in group " + groupId + " (it left or its session timed out); rejoin with epoch 0");
            }
            if (memberEpoch != member.epoch && !(memberEpoch == member.previousEpoch && ownedPartitions != null
                && member.assigned.containsAll(ownedPartitions)))
            {
                throw new ApiException(Errors.FENCED_MEMBER_EPOCH.code(), false, "Member " + memberId + " sent epoch "
                    + memberEpoch + " but its epoch is " + member.epoch + "; rejoin with epoch 0");
            }
            if (topics != null && regex == null && (member.compiledRegex != null
                || !new HashSet<>(topics).equals(new HashSet<>(member.subscribedTopics))))
            {
                member.subscribedTopics = List.copyOf(topics);
                member.subscribedRegex = null;
                member.compiledRegex = null;
                groupEpoch++;
            }
            else if (regex != null && !regex.equals(member.subscribedRegex))
            {
                member.compiledRegex = compile(regex);
                member.subscribedRegex = regex;
                member.subscribedTopics = List.of();
                groupEpoch++;
            }
        }
        member.clientId = clientId;
        member.host = host;
        member.rebalanceTimeoutMs = rebalanceTimeoutMs;
        member.sessionDeadlineMs = nowMs + config.sessionTimeoutMs();
        refreshSubscribedTopics(image);
        if (groupEpoch > assignmentEpoch)
        {
            computeTargetAssignment();
        }
        reconcile(member, ownedPartitions, nowMs);
        final boolean settled = member.pendingRevocation.isEmpty()
            && member.assigned.equals(target.getOrDefault(member.memberId, Set.of()));
        // A member still waiting for partitions (or to confirm a release) checks back soon, so moves finish fast.
        final int interval = settled ? config.heartbeatIntervalMs()
            : Math.max(20, config.heartbeatIntervalMs() / 10);
        return new HeartbeatResult(member.memberId, member.epoch, interval, member.owned());
    }

    /** A member leaving on purpose ({@code close()}): what it owned is free at once. */
    void leave(final String memberId, final long nowMs)
    {
        final GroupMember member = memberId == null ? null : members.get(memberId);
        if (member == null)
        {
            throw new ApiException(Errors.UNKNOWN_MEMBER_ID.code(), false, "Member " + memberId
                + " is not in group " + groupId);
        }
        remove(member, nowMs);
    }

    /** Removes members whose session or revocation deadline passed; returns their ids. */
    List<String> expireMembers(final long nowMs)
    {
        final List<String> expired = new ArrayList<>();
        for (final GroupMember member : new ArrayList<>(members.values()))
        {
            if (nowMs >= member.sessionDeadlineMs || nowMs >= member.revocationDeadlineMs)
            {
                expired.add(member.memberId + (nowMs >= member.sessionDeadlineMs ? " (session timed out)"
                    : " (did not release its partitions within its rebalance timeout)"));
                remove(member, nowMs);
            }
        }
        return expired;
    }

    /**
     * Checks that a commit by {@code memberId} at {@code memberEpoch} may go ahead; a commit from outside the
     * group (null or empty member id, epoch -1) is only allowed while the group has no members.
     *
     * @throws ApiException UNKNOWN_MEMBER_ID, STALE_MEMBER_EPOCH, FENCED_MEMBER_EPOCH or NON_EMPTY_GROUP.
     */
    GroupMember validateMember(final String memberId, final int memberEpoch)
    {
        if (memberId == null || memberId.isEmpty())
        {
            if (memberEpoch >= 0)
            {
                throw new ApiException(Errors.UNKNOWN_MEMBER_ID.code(), false, "A member epoch needs a member id");
            }
            if (!members.isEmpty())
            {
                throw new ApiException(Errors.NON_EMPTY_GROUP.code(), false, "Group " + groupId + " has "
                    + members.size() + " active member(s); only they can commit its offsets");
            }
            return null;
        }
        final GroupMember member = members.get(memberId);
        if (member == null)
        {
            throw new ApiException(Errors.UNKNOWN_MEMBER_ID.code(), false, "Member " + memberId
                + " is not in group " + groupId);
        }
        if (memberEpoch < member.epoch)
        {
            throw new ApiException(Errors.STALE_MEMBER_EPOCH.code(), false, "Member " + memberId + " sent epoch "
                + memberEpoch + "; its epoch is now " + member.epoch);
        }
        if (memberEpoch > member.epoch)
        {
            throw new ApiException(Errors.FENCED_MEMBER_EPOCH.code(), false, "Member " + memberId + " sent epoch "
                + memberEpoch + ", newer than its epoch " + member.epoch);
        }
        return member;
    }

    void commit(final TopicPartition tp, final CommittedOffset offset)
    {
        offsets.put(tp, offset);
    }

    void removeOffset(final TopicPartition tp)
    {
        offsets.remove(tp);
    }

    private void reconcile(final GroupMember member, final Set<TopicPartition> ownedPartitions, final long nowMs)
    {
        if (ownedPartitions != null)
        {
            for (final TopicPartition tp : new ArrayList<>(member.pendingRevocation))
            {
                if (!ownedPartitions.contains(tp))
                {
                    release(member, tp);
                }
            }
        }
        final Set<TopicPartition> wanted = target.getOrDefault(member.memberId, Set.of());
        // The target may have swung back to partitions the member was releasing: it keeps them.
        member.pendingRevocation.removeIf(wanted::contains);
        for (final TopicPartition tp : member.assigned)
        {
            if (!wanted.contains(tp))
            {
                member.pendingRevocation.add(tp);
            }
        }
        if (!member.pendingRevocation.isEmpty())
        {
            if (member.revocationDeadlineMs == Long.MAX_VALUE)
            {
                member.revocationDeadlineMs = nowMs + member.rebalanceTimeoutMs;
            }
            return;
        }
        member.revocationDeadlineMs = Long.MAX_VALUE;
        for (final TopicPartition tp : wanted)
        {
            if (!member.assigned.contains(tp) && !owners.containsKey(tp))
            {
                member.assigned.add(tp);
                owners.put(tp, member.memberId);
            }
        }
        if (member.epoch != assignmentEpoch)
        {
            member.previousEpoch = member.epoch;
            member.epoch = assignmentEpoch;
        }
    }

    private void release(final GroupMember member, final TopicPartition tp)
    {
        member.pendingRevocation.remove(tp);
        member.assigned.remove(tp);
        if (member.memberId.equals(owners.get(tp)))
        {
            owners.remove(tp);
        }
    }

    private void remove(final GroupMember member, final long nowMs)
    {
        for (final TopicPartition tp : member.assigned)
        {
            if (member.memberId.equals(owners.get(tp)))
            {
                owners.remove(tp);
            }
        }
        members.remove(member.memberId);
        groupEpoch++;
        if (members.isEmpty())
        {
            emptySinceMs = nowMs;
            target = Map.of();
            assignmentEpoch = groupEpoch;
        }
    }

    /** Bumps the group epoch when the topics the members subscribe to changed (created, deleted, grown). */
    private void refreshSubscribedTopics(final MetadataImage image)
    {
        if (image.version() == subscribedImageVersion && !subscribedTopics.isEmpty()
            && groupEpoch == assignmentEpoch)
        {
            return;
        }
        subscribedImageVersion = image.version();
        final Map<String, Integer> now = new HashMap<>();
        for (final TopicImage topic : image.topics().values())
        {
            if (topic.name().equals(OffsetsTopic.NAME))
            {
                continue;
            }
            for (final GroupMember member : members.values())
            {
                if (member.subscribesTo(topic.name()))
                {
                    now.put(topic.name(), topic.partitionCount());
                    break;
                }
            }
        }
        if (!now.equals(subscribedTopics))
        {
            subscribedTopics = now;
            groupEpoch++;
        }
    }

    private void computeTargetAssignment()
    {
        final Map<String, Set<String>> subscriptions = new HashMap<>();
        for (final GroupMember member : members.values())
        {
            final Set<String> topics = new HashSet<>();
            for (final String topic : subscribedTopics.keySet())
            {
                if (member.subscribesTo(topic))
                {
                    topics.add(topic);
                }
            }
            subscriptions.put(member.memberId, topics);
        }
        target = UniformAssignor.assign(subscriptions, subscribedTopics, target);
        assignmentEpoch = groupEpoch;
    }

    private static Pattern compile(final String regex)
    {
        if (regex == null)
        {
            return null;
        }
        try
        {
            return Pattern.compile(regex);
        }
        catch (final PatternSyntaxException e)
        {
            throw new ApiException(Errors.INVALID_REGULAR_EXPRESSION.code(), false, "The subscription regex '"
                + regex + "' does not compile: " + e.getDescription());
        }
    }
}

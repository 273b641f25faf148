package io.sluice.broker.group;

import io.sluice.broker.metadata.MetadataImage;
import io.sluice.broker.partition.Partition;
import io.sluice.common.TopicPartition;
import io.sluice.common.errors.ApiException;
import io.sluice.common.errors.SluiceException;
import io.sluice.common.protocol.Errors;
import io.sluice.common.record.Record;
import io.sluice.common.record.RecordBatchBuilder;
import io.sluice.common.record.RecordBatchReader;
import io.sluice.storage.log.LogAppendInfo;
import io.sluice.storage.log.LogReadInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The groups whose records live in one partition of {@code __consumer_offsets}, served by that partition's leader.
 * Every change that must survive (a group created or deleted, an offset committed or expired) is appended to the
 * partition before it is applied here; on taking over, the shard replays the partition. One lock guards it all.
 */
final class GroupShard
{
    private static final Logger LOG = LoggerFactory.getLogger(GroupShard.class);
    private static final int LOAD_CHUNK_BYTES = 1024 * 1024;
    private static final io.sluice.common.record.Header[] NO_HEADERS = new io.sluice.common.record.Header[0];

    private final Partition partition;
    private final GroupConfig config;
    private final Map<String, ConsumerGroup> groups = new HashMap<>();
    private final RecordBatchBuilder builder = new RecordBatchBuilder(1024);
    private final LogAppendInfo appendInfo = new LogAppendInfo();

    private final java.util.function.Consumer<TopicPartition> highWatermarkListener;

    GroupShard(final Partition partition, final GroupConfig config,
        final java.util.function.Consumer<TopicPartition> highWatermarkListener)
    {
        this.partition = partition;
        this.config = config;
        this.highWatermarkListener = highWatermarkListener;
    }

    TopicPartition topicPartition()
    {
        return partition.topicPartition();
    }

    Partition partition()
    {
        return partition;
    }

    /** Rebuilds the groups by replaying the partition; returns how many records it read. */
    synchronized long load(final long nowMs)
    {
        final RecordBatchReader reader = new RecordBatchReader();
        long offset = partition.log().logStartOffset();
        long records = 0;
        // To the log end, not the high watermark: a leader's log is what followers will hold, and a new leader's
        // high watermark lags until they fetch, so commits it already has would otherwise be missed.
        final long end = partition.log().logEndOffset();
        while (offset < end)
        {
            final LogReadInfo info = partition.readForFollower(offset, LOAD_CHUNK_BYTES);
            if (info.records.sizeInBytes() == 0)
            {
                break;
            }
            final ByteBuffer bytes;
            try
            {
                bytes = info.records.readFully();
            }
            catch (final IOException e)
            {
                throw new UncheckedIOException("Could not read " + partition.topicPartition() + " to load groups", e);
            }
            for (final Record record : reader.decodeAll(bytes))
            {
                apply(record.key(), record.value(), nowMs);
                records++;
            }
            offset = info.nextOffset;
        }
        return records;
    }

    private void apply(final byte[] key, final byte[] value, final long nowMs)
    {
        if (key == null)
        {
            return;
        }
        final GroupRecords.Key k = GroupRecords.readKey(key);
        if (k.type() == GroupRecords.GROUP_METADATA_KEY)
        {
            if (value == null)
            {
                groups.remove(k.groupId());
            }
            else
            {
                groups.computeIfAbsent(k.groupId(), id -> new ConsumerGroup(id, GroupRecords.readGroupEpoch(value),
                    nowMs));
            }
            return;
        }
        if (value == null)
        {
            final ConsumerGroup group = groups.get(k.groupId());
            if (group != null)
            {
                group.removeOffset(k.partition());
            }
            return;
        }
        final CommittedOffset offset = GroupRecords.readOffsetCommitValue(value);
        groups.computeIfAbsent(k.groupId(), id -> new ConsumerGroup(id, 0, nowMs)).commit(k.partition(), offset);
    }

    synchronized HeartbeatResult heartbeat(final String groupId, final String memberId,
        final int memberEpoch, final int rebalanceTimeoutMs, final List<String> topics, final String regex,
        final Set<TopicPartition> owned, final String clientId, final String host, final long nowMs,
        final MetadataImage image)
    {
        ConsumerGroup group = groups.get(groupId);
        if (group == null)
        {
            if (memberEpoch != 0)
            {
                throw new ApiException(Errors.GROUP_ID_NOT_FOUND.code(), false, "Group " + groupId
                    + " does not exist; join with epoch 0");
            }
            group = create(groupId, nowMs);
        }
        if (memberEpoch == -1)
        {
            group.leave(memberId, nowMs);
            LOG.info("Member {} left group {}", memberId, groupId);
            return new HeartbeatResult(memberId, -1, 0, Set.of());
        }
        final HeartbeatResult result = group.heartbeat(memberId, memberEpoch, rebalanceTimeoutMs,
            topics, regex, owned, clientId, host, nowMs, image, config);
        if (memberEpoch == 0)
        {
            LOG.info("Member {} ({} from {}) joined group {}; group epoch {}", result.memberId(), clientId, host,
                groupId, group.groupEpoch());
        }
        return result;
    }

    /** A commit's outcome: an error per partition, and the offset past which it is durable once replicated. */
    record CommitResult(Map<TopicPartition, Errors> errors, long requiredHighWatermark)
    {
    }

    /**
     * Validates and appends a commit; offsets are applied once appended. A partition the member does not own gets
     * PARTITION_NOT_OWNED and the rest still commit.
     *
     * @throws ApiException for errors that concern the whole request (member, epoch, group).
     */
    synchronized CommitResult commit(final String groupId, final String memberId, final int memberEpoch,
        final Map<TopicPartition, CommittedOffset> commits, final MetadataImage image, final long nowMs)
    {
        ConsumerGroup group = groups.get(groupId);
        if (group == null)
        {
            if (memberId != null && !memberId.isEmpty())
            {
                throw new ApiException(Errors.GROUP_ID_NOT_FOUND.code(), false, "Group " + groupId
                    + " does not exist");
            }
            group = create(groupId, nowMs);
        }
        final GroupMember member = group.validateMember(memberId, memberEpoch);
        final Map<TopicPartition, Errors> errors = new HashMap<>();
        final Map<TopicPartition, CommittedOffset> accepted = new HashMap<>();
        for (final Map.Entry<TopicPartition, CommittedOffset> entry : commits.entrySet())
        {
            final TopicPartition tp = entry.getKey();
            final CommittedOffset offset = entry.getValue();
            final var topic = image.topic(tp.topic());
            if (topic == null || tp.partition() < 0 || tp.partition() >= topic.partitionCount())
            {
                errors.put(tp, Errors.UNKNOWN_TOPIC_OR_PARTITION);
            }
            else if (member != null && !member.assigned.contains(tp))
            {
                errors.put(tp, Errors.PARTITION_NOT_OWNED);
            }
            else if (offset.metadata() != null && offset.metadata().length() > config.offsetMetadataMaxBytes())
            {
                errors.put(tp, Errors.OFFSET_METADATA_TOO_LARGE);
            }
            else if (offset.offset() < 0)
            {
                errors.put(tp, Errors.INVALID_REQUEST);
            }
            else
            {
                accepted.put(tp, offset);
                errors.put(tp, Errors.NONE);
            }
        }
        if (accepted.isEmpty())
        {
            return new CommitResult(errors, -1);
        }
        builder.reset(io.sluice.common.record.CompressionType.NONE);
        for (final Map.Entry<TopicPartition, CommittedOffset> entry : accepted.entrySet())
        {
            builder.append(nowMs, GroupRecords.offsetCommitKey(groupId, entry.getKey()),
                GroupRecords.offsetCommitValue(entry.getValue()), NO_HEADERS);
        }
        final long end = append();
        accepted.forEach(group::commit);
        return new CommitResult(errors, end);
    }

    synchronized Map<TopicPartition, CommittedOffset> fetchOffsets(final String groupId, final String memberId,
        final int memberEpoch, final Collection<TopicPartition> partitions)
    {
        final ConsumerGroup group = groups.get(groupId);
        if (group == null)
        {
            if (memberId != null && !memberId.isEmpty())
            {
                throw new ApiException(Errors.GROUP_ID_NOT_FOUND.code(), false, "Group " + groupId
                    + " does not exist");
            }
            return Map.of();
        }
        if (memberId != null && !memberId.isEmpty())
        {
            group.validateMember(memberId, memberEpoch);
        }
        if (partitions == null)
        {
            return new HashMap<>(group.offsets());
        }
        final Map<TopicPartition, CommittedOffset> result = new HashMap<>();
        for (final TopicPartition tp : partitions)
        {
            final CommittedOffset offset = group.offsets().get(tp);
            if (offset != null)
            {
                result.put(tp, offset);
            }
        }
        return result;
    }

    synchronized GroupDescription describe(final String groupId)
    {
        final ConsumerGroup group = groups.get(groupId);
        if (group == null)
        {
            return null;
        }
        final List<GroupDescription.Member> members = new ArrayList<>();
        for (final GroupMember m : group.members().values())
        {
            members.add(new GroupDescription.Member(m.memberId, m.clientId, m.host, m.epoch, m.subscribedTopics,
                m.subscribedRegex, m.owned(), Set.copyOf(m.pendingRevocation)));
        }
        return new GroupDescription(group.groupId, group.state(), group.groupEpoch(), group.assignmentEpoch(), members,
            new HashMap<>(group.offsets()));
    }

    synchronized List<GroupDescription> list()
    {
        final List<GroupDescription> views = new ArrayList<>();
        for (final String id : groups.keySet())
        {
            views.add(describe(id));
        }
        return views;
    }

    /**
     * Deletes an empty group: tombstones for its offsets and itself.
     *
     * @throws ApiException GROUP_ID_NOT_FOUND or NON_EMPTY_GROUP.
     */
    synchronized long delete(final String groupId)
    {
        final ConsumerGroup group = groups.get(groupId);
        if (group == null)
        {
            throw new ApiException(Errors.GROUP_ID_NOT_FOUND.code(), false, "Group " + groupId + " does not exist");
        }
        if (!group.members().isEmpty())
        {
            throw new ApiException(Errors.NON_EMPTY_GROUP.code(), false, "Group " + groupId + " has "
                + group.members().size() + " active member(s)");
        }
        final long end = writeTombstones(group);
        groups.remove(groupId);
        LOG.info("Deleted group {}", groupId);
        return end;
    }

    /** Removes members past their deadlines and groups empty for longer than offsets.retention.minutes. */
    synchronized void expire(final long nowMs, final boolean checkRetention)
    {
        for (final ConsumerGroup group : new ArrayList<>(groups.values()))
        {
            for (final String expired : group.expireMembers(nowMs))
            {
                LOG.info("Removed member {} from group {}", expired, group.groupId);
            }
            if (checkRetention && group.members().isEmpty()
                && nowMs - group.emptySinceMs() >= config.offsetsRetentionMs())
            {
                try
                {
                    writeTombstones(group);
                    groups.remove(group.groupId);
                    LOG.info("Expired group {}: empty for longer than offsets.retention.minutes", group.groupId);
                }
                catch (final SluiceException e)
                {
                    LOG.warn("Could not expire group {}: {}", group.groupId, e.getMessage());
                }
            }
        }
    }

    private ConsumerGroup create(final String groupId, final long nowMs)
    {
        final ConsumerGroup group = new ConsumerGroup(groupId, 0, nowMs);
        builder.reset(io.sluice.common.record.CompressionType.NONE);
        builder.append(nowMs, GroupRecords.groupKey(groupId), GroupRecords.groupValue(0, nowMs), NO_HEADERS);
        append();
        groups.put(groupId, group);
        return group;
    }

    private long writeTombstones(final ConsumerGroup group)
    {
        builder.reset(io.sluice.common.record.CompressionType.NONE);
        final long now = System.currentTimeMillis();
        for (final TopicPartition tp : group.offsets().keySet())
        {
            builder.append(now, GroupRecords.offsetCommitKey(group.groupId, tp), null, NO_HEADERS);
        }
        builder.append(now, GroupRecords.groupKey(group.groupId), null, NO_HEADERS);
        return append();
    }

    /** Appends the built batch as leader; returns the offset the high watermark must reach for it to be safe. */
    private long append()
    {
        final ByteBuffer batch = builder.build();
        if (partition.appendAsLeader(batch, (short)-1, 1, appendInfo))
        {
            highWatermarkListener.accept(partition.topicPartition());
        }
        return appendInfo.lastOffset + 1;
    }
}

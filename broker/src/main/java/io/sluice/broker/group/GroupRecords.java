package io.sluice.broker.group;

import io.sluice.common.TopicPartition;
import io.sluice.common.errors.CorruptRecordException;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The keys and values written to {@code __consumer_offsets}, laid out as Kafka's: a key starts with its int16
 * version, which says what kind of record it is (1: an offset commit, 3: a group); a null value is a tombstone
 * that compaction keeps until it expires, and that removes the key's state on replay.
 */
public final class GroupRecords
{
    static final short OFFSET_COMMIT_KEY = 1;
    static final short GROUP_METADATA_KEY = 3;
    private static final short OFFSET_COMMIT_VALUE_VERSION = 3;
    private static final short GROUP_METADATA_VALUE_VERSION = 0;

    private GroupRecords()
    {
    }

    /** A decoded key: a group record has a null partition. */
    public record Key(short type, String groupId, TopicPartition partition)
    {
    }

    public static byte[] offsetCommitKey(final String groupId, final TopicPartition tp)
    {
        final byte[] group = groupId.getBytes(StandardCharsets.UTF_8);
        final byte[] topic = tp.topic().getBytes(StandardCharsets.UTF_8);
        final ByteBuffer buffer = ByteBuffer.allocate(2 + 2 + group.length + 2 + topic.length + 4);
        buffer.putShort(OFFSET_COMMIT_KEY).putShort((short)group.length).put(group).putShort((short)topic.length)
            .put(topic).putInt(tp.partition());
        return buffer.array();
    }

    public static byte[] offsetCommitValue(final CommittedOffset offset)
    {
        final byte[] metadata = (offset.metadata() == null ? "" : offset.metadata()).getBytes(StandardCharsets.UTF_8);
        final ByteBuffer buffer = ByteBuffer.allocate(2 + 8 + 4 + 2 + metadata.length + 8);
        buffer.putShort(OFFSET_COMMIT_VALUE_VERSION).putLong(offset.offset()).putInt(offset.leaderEpoch())
            .putShort((short)metadata.length).put(metadata).putLong(offset.commitTimestamp());
        return buffer.array();
    }

    public static byte[] groupKey(final String groupId)
    {
        final byte[] group = groupId.getBytes(StandardCharsets.UTF_8);
        final ByteBuffer buffer = ByteBuffer.allocate(2 + 2 + group.length);
        buffer.putShort(GROUP_METADATA_KEY).putShort((short)group.length).put(group);
        return buffer.array();
    }

    public static byte[] groupValue(final int groupEpoch, final long createdMs)
    {
        final ByteBuffer buffer = ByteBuffer.allocate(2 + 4 + 8);
        buffer.putShort(GROUP_METADATA_VALUE_VERSION).putInt(groupEpoch).putLong(createdMs);
        return buffer.array();
    }

    /**
     * Reads a key.
     *
     * @throws CorruptRecordException if the bytes are not a key this broker wrote.
     */
    public static Key readKey(final byte[] bytes)
    {
        try
        {
            final ByteBuffer buffer = ByteBuffer.wrap(bytes);
            final short type = buffer.getShort();
            final String group = readString(buffer);
            if (type == OFFSET_COMMIT_KEY)
            {
                final String topic = readString(buffer);
                return new Key(type, group, new TopicPartition(topic, buffer.getInt()));
            }
            if (type == GROUP_METADATA_KEY)
            {
                return new Key(type, group, null);
            }
            throw new CorruptRecordException("Unknown key version " + type + " in " + OffsetsTopic.NAME);
        }
        catch (final BufferUnderflowException | IllegalArgumentException e)
        {
            throw new CorruptRecordException("Truncated key in " + OffsetsTopic.NAME);
        }
    }

    public static CommittedOffset readOffsetCommitValue(final byte[] bytes)
    {
        try
        {
            final ByteBuffer buffer = ByteBuffer.wrap(bytes);
            final short version = buffer.getShort();
            if (version != OFFSET_COMMIT_VALUE_VERSION)
            {
                throw new CorruptRecordException("Unknown offset commit value version " + version);
            }
            final long offset = buffer.getLong();
            final int epoch = buffer.getInt();
            final String metadata = readString(buffer);
            return new CommittedOffset(offset, epoch, metadata, buffer.getLong());
        }
        catch (final BufferUnderflowException | IllegalArgumentException e)
        {
            throw new CorruptRecordException("Truncated offset commit value in " + OffsetsTopic.NAME);
        }
    }

    /** The group epoch stored in a group record's value. */
    public static int readGroupEpoch(final byte[] bytes)
    {
        try
        {
            final ByteBuffer buffer = ByteBuffer.wrap(bytes);
            final short version = buffer.getShort();
            if (version != GROUP_METADATA_VALUE_VERSION)
            {
                throw new CorruptRecordException("Unknown group value version " + version);
            }
            return buffer.getInt();
        }
        catch (final BufferUnderflowException e)
        {
            throw new CorruptRecordException("Truncated group value in " + OffsetsTopic.NAME);
        }
    }

    private static String readString(final ByteBuffer buffer)
    {
        final int length = buffer.getShort();
        if (length < 0 || length > buffer.remaining())
        {
            throw new IllegalArgumentException("bad string length");
        }
        final String value = new String(buffer.array(), buffer.position(), length, StandardCharsets.UTF_8);
        buffer.position(buffer.position() + length);
        return value;
    }
}

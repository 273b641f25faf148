package io.sluice.common.protocol;

import io.sluice.common.errors.ApiException;
import io.sluice.common.errors.CorruptRecordException;
import io.sluice.common.errors.OffsetOutOfRangeException;
import io.sluice.common.errors.RecordTooLargeException;
import io.sluice.common.errors.SluiceException;

/**
 * The one table of wire error codes, Kafka's numbers so that a Kafka-protocol listener can reuse them. Each code
 * says whether it is retriable and whether the client should refresh its metadata before retrying.
 */
public enum Errors
{
    UNKNOWN_SERVER_ERROR(-1, false, false, "The server hit an unexpected error."),
    NONE(0, false, false, null),
    OFFSET_OUT_OF_RANGE(1, false, false, "The requested offset is outside the range of offsets kept by the log."),
    CORRUPT_MESSAGE(2, true, false, "The record batch failed its CRC or size checks."),
    UNKNOWN_TOPIC_OR_PARTITION(3, true, true, "This broker does not host this topic-partition."),
    INVALID_FETCH_SIZE(4, false, false, "The requested fetch size is invalid."),
    LEADER_NOT_AVAILABLE(5, true, true, "There is no leader for this topic-partition right now."),
    NOT_LEADER_OR_FOLLOWER(6, true, true, "This broker is not the leader of this topic-partition."),
    REQUEST_TIMED_OUT(7, true, false, "The request timed out."),
    MESSAGE_TOO_LARGE(10, false, false, "The record batch is larger than the broker accepts (max.message.bytes)."),
    OFFSET_METADATA_TOO_LARGE(12, false, false, "The metadata of a committed offset is too large."),
    NETWORK_EXCEPTION(13, true, true, "The server disconnected before a response was received."),
    COORDINATOR_LOAD_IN_PROGRESS(14, true, false, "The coordinator is still loading the group's state."),
    COORDINATOR_NOT_AVAILABLE(15, true, false, "The group's coordinator is not available."),
    NOT_COORDINATOR(16, true, false, "This broker is not the group's coordinator."),
    INVALID_TOPIC_EXCEPTION(17, false, false, "The topic name is not valid."),
    RECORD_LIST_TOO_LARGE(18, false, false, "The request holds more record bytes than a segment can take."),
    NOT_ENOUGH_REPLICAS(19, true, false, "Fewer in-sync replicas than min.insync.replicas."),
    INVALID_REQUIRED_ACKS(21, false, false, "acks must be -1 (all), 0 or 1."),
    INVALID_GROUP_ID(24, false, false, "The group id is empty or longer than 255 characters."),
    UNKNOWN_MEMBER_ID(25, false, false, "The coordinator does not know this member (it left or timed out)."),
    INVALID_TIMESTAMP(32, false, false, "The timestamp of a record is out of the acceptable range."),
    UNSUPPORTED_VERSION(35, false, false, "The broker does not support this API version."),
    TOPIC_ALREADY_EXISTS(36, false, false, "The topic already exists."),
    INVALID_PARTITIONS(37, false, false, "The number of partitions is invalid."),
    INVALID_REPLICATION_FACTOR(38, false, false, "The replication factor is invalid."),
    INVALID_CONFIG(40, false, false, "A configuration value is invalid."),
    INVALID_REQUEST(42, false, false, "The request is malformed or violates the protocol."),
    POLICY_VIOLATION(44, false, false, "The request violates a broker policy."),
    OUT_OF_ORDER_SEQUENCE_NUMBER(45, false, false, "The broker received an out of order sequence number."),
    DUPLICATE_SEQUENCE_NUMBER(46, false, false, "The broker already has a batch with this sequence number."),
    INVALID_PRODUCER_EPOCH(47, false, false, "The producer's epoch is older than the broker's."),
    KAFKA_STORAGE_ERROR(56, true, true, "The disk holding this partition failed."),
    UNKNOWN_PRODUCER_ID(59, false, false, "The broker has no state for this producer id."),
    NON_EMPTY_GROUP(68, false, false, "The group has active members."),
    GROUP_ID_NOT_FOUND(69, false, false, "The group does not exist."),
    TOPIC_DELETION_DISABLED(73, false, false, "Topic deletion is disabled."),
    FENCED_LEADER_EPOCH(74, true, true, "The leader epoch in the request is older than the broker's."),
    UNKNOWN_LEADER_EPOCH(75, true, true, "The leader epoch in the request is newer than the broker's."),
    OFFSET_NOT_AVAILABLE(78, true, false, "The leader's high watermark has not yet reached the start of its epoch: "
        + "the latest offset is not known yet."),
    GROUP_MAX_SIZE_REACHED(81, false, false, "The group has as many members as group.consumer.max.size allows."),
    THROTTLING_QUOTA_EXCEEDED(89, true, false, "The broker refused the request to protect itself."),
    FENCED_MEMBER_EPOCH(110, false, false, "The member epoch is fenced: the member must rejoin the group."),
    STALE_MEMBER_EPOCH(113, false, false, "The member epoch is older than the coordinator's for this member."),
    INVALID_REGULAR_EXPRESSION(128, false, false, "The subscription's regular expression does not compile."),
    // Sluice's own codes sit above Kafka's range; a Kafka-protocol listener maps them to the nearest Kafka code.
    PARTITION_NOT_OWNED(1001, false, false, "The member does not own this partition: only its owner commits "
        + "offsets for it.");

    private static final Errors[] BY_CODE = new Errors[1024 + 128];

    static
    {
        for (final Errors error : values())
        {
            if (error.code >= 0)
            {
                BY_CODE[error.code] = error;
            }
        }
    }

    private final short code;
    private final boolean retriable;
    private final boolean refreshMetadata;
    private final String defaultMessage;

    Errors(final int code, final boolean retriable, final boolean refreshMetadata, final String defaultMessage)
    {
        this.code = (short)code;
        this.retriable = retriable;
        this.refreshMetadata = refreshMetadata;
        this.defaultMessage = defaultMessage;
    }

    public short code()
    {
        return code;
    }

    public boolean isRetriable()
    {
        return retriable;
    }

    /** Whether a client should refresh its metadata (leaders, partitions) before retrying. */
    public boolean refreshesMetadata()
    {
        return refreshMetadata;
    }

    public String message()
    {
        return defaultMessage;
    }

    public static Errors forCode(final short code)
    {
        if (code >= 0 && code < BY_CODE.length && BY_CODE[code] != null)
        {
            return BY_CODE[code];
        }
        return UNKNOWN_SERVER_ERROR;
    }

    /** The typed exception a client raises for this error, with {@code message} or the default text. */
    public SluiceException exception(final String message)
    {
        final String text = message == null || message.isEmpty() ? defaultMessage : message;
        switch (this)
        {
            case CORRUPT_MESSAGE:
                return new CorruptRecordException(text);
            case MESSAGE_TOO_LARGE:
            case RECORD_LIST_TOO_LARGE:
                return new RecordTooLargeException(text);
            case OFFSET_OUT_OF_RANGE:
                return new OffsetOutOfRangeException(text);
            default:
                return new ApiException(code, retriable, name() + ": " + text);
        }
    }

    /** The wire error for an exception raised while serving a request. */
    public static Errors forException(final Throwable t)
    {
        if (t instanceof CorruptRecordException)
        {
            return CORRUPT_MESSAGE;
        }
        if (t instanceof RecordTooLargeException)
        {
            return MESSAGE_TOO_LARGE;
        }
        if (t instanceof OffsetOutOfRangeException)
        {
            return OFFSET_OUT_OF_RANGE;
        }
        if (t instanceof io.sluice.common.errors.InvalidRecordException)
        {
            return INVALID_REQUEST;
        }
        if (t instanceof io.sluice.common.errors.StorageException)
        {
            return KAFKA_STORAGE_ERROR;
        }
        if (t instanceof io.sluice.common.errors.ConfigException)
        {
            return INVALID_CONFIG;
        }
        if (t instanceof ApiException)
        {
            return forCode(((ApiException)t).code());
        }
        return UNKNOWN_SERVER_ERROR;
    }
}

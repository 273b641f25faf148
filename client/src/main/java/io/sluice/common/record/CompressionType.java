package io.sluice.common.record;

import io.sluice.common.errors.InvalidRecordException;

/**
 * The codec of a batch, stored in bits 0-2 of the attributes. The ids are Kafka's; Sluice writes and reads
 * {@link #NONE} and {@link #LZ4} and refuses the others with a clear error rather than misreading them.
 */
public enum CompressionType
{
    NONE(0, "none"),
    GZIP(1, "gzip"),
    SNAPPY(2, "snappy"),
    LZ4(3, "lz4"),
    ZSTD(4, "zstd");

    /** Mask of the codec bits in a batch's attributes. */
    public static final int ATTRIBUTE_MASK = 0x07;

    public final int id;
    public final String configName;

    CompressionType(final int id, final String configName)
    {
        this.id = id;
        this.configName = configName;
    }

    /** Whether this build can write and read batches with this codec. */
    public boolean isSupported()
    {
        return this == NONE || this == LZ4;
    }

    public static CompressionType forId(final int id)
    {
        switch (id)
        {
            case 0: return NONE;
            case 1: return GZIP;
            case 2: return SNAPPY;
            case 3: return LZ4;
            case 4: return ZSTD;
            default: throw new InvalidRecordException("Unknown compression codec id " + id);
        }
    }

    /** Parses a {@code compression.type} value such as {@code lz4}. */
    public static CompressionType forName(final String name)
    {
        for (final CompressionType type : values())
        {
            if (type.configName.equalsIgnoreCase(name))
            {
                return type;
            }
        }
        throw new IllegalArgumentException("Unknown compression type '" + name + "'");
    }
}

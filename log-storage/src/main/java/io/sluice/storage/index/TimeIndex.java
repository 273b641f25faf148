package io.sluice.storage.index;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Maps timestamps to offsets, so a consumer can start from a point in time. An entry is added when a batch raises
 * the segment's largest timestamp and enough bytes have passed since the last entry:
 *
 * <pre>
 *  +-----------------------------------------------------------------+----------------------------------+
 *  | timestamp int64                                                 | relativeOffset int32             |
 *  +-----------------------------------------------------------------+----------------------------------+
 * </pre>
 *
 * Timestamps and offsets are both non-decreasing. A lookup returns the offset of the last entry whose timestamp is
 * strictly below the target: every record at or after the target lies at or after that offset.
 */
public final class TimeIndex extends AbstractIndex
{
    public static final int ENTRY_SIZE = 12;

    private static final IndexSearch BELOW = new IndexSearch()
    {
        @Override
        public long search(final ByteBuffer buffer, final int entries, final long targetTimestamp)
        {
            if (buffer.getLong(0) >= targetTimestamp)
            {
                return -1;
            }
            int low = 0;
            int high = entries - 1;
            while (low < high)
            {
                final int mid = (low + high + 1) >>> 1;
                if (buffer.getLong(mid * ENTRY_SIZE) < targetTimestamp)
                {
                    low = mid;
                }
                else
                {
                    high = mid - 1;
                }
            }
            return buffer.getInt(low * ENTRY_SIZE + 8);
        }

        @Override
        public long empty()
        {
            return -1;
        }
    };

    private static final IndexSearch TIMESTAMP_OF = new IndexSearch()
    {
        @Override
        public long search(final ByteBuffer buffer, final int n, final long unused)
        {
            return buffer.getLong(n * ENTRY_SIZE);
        }

        @Override
        public long empty()
        {
            return -1;
        }
    };

    private static final IndexSearch OFFSET_OF = new IndexSearch()
    {
        @Override
        public long search(final ByteBuffer buffer, final int n, final long unused)
        {
            return buffer.getInt(n * ENTRY_SIZE + 8);
        }

        @Override
        public long empty()
        {
            return -1;
        }
    };

    private static final EntryWriter WRITER = (buffer, index, timestamp, relativeOffset) ->
    {
        buffer.putLong(index, timestamp);
        buffer.putInt(index + 8, (int)relativeOffset);
    };

    private long lastTimestamp = Long.MIN_VALUE;
    private long lastRelativeOffset = -1;

    public TimeIndex(final Path file, final long baseOffset, final int maxIndexSize, final boolean writable)
        throws IOException
    {
        super(file, baseOffset, ENTRY_SIZE, maxIndexSize, writable);
        if (entries() > 0)
        {
            lastTimestamp = timestampAt(entries() - 1);
            lastRelativeOffset = readEntry(OFFSET_OF, entries() - 1);
        }
    }

    public long timestampAt(final int n)
    {
        return readEntry(TIMESTAMP_OF, n);
    }

    public long offsetAt(final int n)
    {
        return baseOffset + readEntry(OFFSET_OF, n);
    }

    /** The largest indexed timestamp, or {@link Long#MIN_VALUE} when empty. */
    public long lastTimestamp()
    {
        return lastTimestamp;
    }

    /**
     * The offset from which a scan for the first record with timestamp at or above {@code timestamp} may start: the
     * offset of the last entry strictly below it, or the segment's base offset.
     */
    public long lookupBelow(final long timestamp)
    {
        final long relative = search(BELOW, timestamp);
        return relative < 0 ? baseOffset : baseOffset + relative;
    }

    /** Adds an entry if {@code timestamp} is larger than the last indexed one. */
    public void maybeAppend(final long timestamp, final long offset)
    {
        if (timestamp <= lastTimestamp || isFull())
        {
            return;
        }
        final long relative = offset - baseOffset;
        if (relative < lastRelativeOffset || relative > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("Offset " + offset + " cannot follow the last entry of " + file());
        }
        appendEntry(WRITER, timestamp, relative);
        lastTimestamp = timestamp;
        lastRelativeOffset = relative;
    }

    /** Removes entries for offsets at or above {@code offset}. */
    public void truncateTo(final long offset)
    {
        final long relative = offset - baseOffset;
        int keep = entries();
        while (keep > 0 && readEntry(OFFSET_OF, keep - 1) >= relative)
        {
            keep--;
        }
        truncateToEntries(keep);
        lastTimestamp = keep == 0 ? Long.MIN_VALUE : timestampAt(keep - 1);
        lastRelativeOffset = keep == 0 ? -1 : readEntry(OFFSET_OF, keep - 1);
    }

    @Override
    public void reset()
    {
        super.reset();
        lastTimestamp = Long.MIN_VALUE;
        lastRelativeOffset = -1;
    }

    @Override
    public void sanityCheck(final long logSizeInBytes)
    {
        long previousTimestamp = Long.MIN_VALUE;
        long previousOffset = -1;
        for (int n = 0; n < entries(); n++)
        {
            final long timestamp = timestampAt(n);
            final long relative = readEntry(OFFSET_OF, n);
            if (timestamp <= previousTimestamp || relative < previousOffset || relative < 0)
            {
                throw new CorruptIndexException("Time index " + file() + " entry " + n + " (timestamp " + timestamp
                    + ", offset " + (baseOffset + relative) + ") is out of order");
            }
            previousTimestamp = timestamp;
            previousOffset = relative;
        }
    }
}

package io.sluice.storage.index;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Maps offsets to positions in the segment's log file. One entry per {@code index.interval.bytes} of log:
 *
 * <pre>
 *  +----------------------------------+----------------------------------+
 *  | relativeOffset int32             | position int32                   |
 *  +----------------------------------+----------------------------------+
 * </pre>
 *
 * An entry names the base offset of a batch and the batch's file position. A lookup returns the last entry at or
 * below the target; the reader then scans batch headers forward from that position.
 */
public final class OffsetIndex extends AbstractIndex
{
    public static final int ENTRY_SIZE = 8;

    private static final IndexSearch LOOKUP = new IndexSearch()
    {
        @Override
        public long search(final ByteBuffer buffer, final int entries, final long relativeTarget)
        {
            int low = 0;
            int high = entries - 1;
            if (buffer.getInt(0) > relativeTarget)
            {
                return empty();
            }
            while (low < high)
            {
                final int mid = (low + high + 1) >>> 1;
                if (buffer.getInt(mid * ENTRY_SIZE) <= relativeTarget)
                {
                    low = mid;
                }
                else
                {
                    high = mid - 1;
                }
            }
            return pack(buffer.getInt(low * ENTRY_SIZE), buffer.getInt(low * ENTRY_SIZE + 4));
        }

        @Override
        public long empty()
        {
            return pack(0, 0);
        }
    };

    private static final IndexSearch ENTRY = new IndexSearch()
    {
        @Override
        public long search(final ByteBuffer buffer, final int n, final long unused)
        {
            return pack(buffer.getInt(n * ENTRY_SIZE), buffer.getInt(n * ENTRY_SIZE + 4));
        }

        @Override
        public long empty()
        {
            return pack(0, 0);
        }
    };

    private static final EntryWriter WRITER = (buffer, index, relativeOffset, position) ->
    {
        buffer.putInt(index, (int)relativeOffset);
        buffer.putInt(index + 4, (int)position);
    };

    private int lastRelativeOffset = -1;

    public OffsetIndex(final Path file, final long baseOffset, final int maxIndexSize, final boolean writable)
        throws IOException
    {
        super(file, baseOffset, ENTRY_SIZE, maxIndexSize, writable);
        if (entries() > 0)
        {
            lastRelativeOffset = relativeOffset(readEntry(ENTRY, entries() - 1));
        }
    }

    static long pack(final int relativeOffset, final int position)
    {
        return ((long)relativeOffset << 32) | (position & 0xffffffffL);
    }

    /** The relative offset of a {@link #lookup} result. */
    public static int relativeOffset(final long packed)
    {
        return (int)(packed >> 32);
    }

    /** The file position of a {@link #lookup} result. */
    public static int position(final long packed)
    {
        return (int)packed;
    }

    /**
     * The last entry whose offset is at or below {@code targetOffset}, packed as relative offset and position; the
     * segment start (0, 0) when there is none.
     */
    public long lookup(final long targetOffset)
    {
        final long relative = targetOffset - baseOffset;
        if (relative < 0)
        {
            return LOOKUP.empty();
        }
        return search(LOOKUP, Math.min(relative, Integer.MAX_VALUE));
    }

    /** Entry {@code n}, packed as by {@link #lookup}. */
    public long entry(final int n)
    {
        return readEntry(ENTRY, n);
    }

    /** Adds an entry for a batch starting at {@code offset}; entries must come in increasing offset order. */
    public void append(final long offset, final int position)
    {
        final long relative = offset - baseOffset;
        if (relative <= lastRelativeOffset || relative > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("Offset " + offset + " cannot follow the last entry of " + file());
        }
        appendEntry(WRITER, relative, position);
        lastRelativeOffset = (int)relative;
    }

    /** Removes entries for offsets at or above {@code offset}. */
    public void truncateTo(final long offset)
    {
        final long relative = offset - baseOffset;
        int keep = entries();
        while (keep > 0 && relativeOffset(entry(keep - 1)) >= relative)
        {
            keep--;
        }
        truncateToEntries(keep);
        lastRelativeOffset = keep == 0 ? -1 : relativeOffset(entry(keep - 1));
    }

    @Override
    public void reset()
    {
        super.reset();
        lastRelativeOffset = -1;
    }

    @Override
    public void sanityCheck(final long logSizeInBytes)
    {
        int previousOffset = -1;
        int previousPosition = -1;
        for (int n = 0; n < entries(); n++)
        {
            final long e = entry(n);
            final int relative = relativeOffset(e);
            final int position = position(e);
            if (relative <= previousOffset || position <= previousPosition && n > 0 || position < 0
                || position >= logSizeInBytes)
            {
                throw new CorruptIndexException("Offset index " + file() + " entry " + n + " (offset "
                    + (baseOffset + relative) + ", position " + position + ") is out of order or past the log's "
                    + logSizeInBytes + " bytes");
            }
            previousOffset = relative;
            previousPosition = position;
        }
    }
}

package io.sluice.storage.log;

import io.sluice.storage.segment.FileSlice;

/**
 * The result of a read: whole batches as a zero-copy slice of a segment file, the offset to read next, and the
 * log's bounds at the time of the read.
 */
public final class LogReadInfo
{
    public final FileSlice records;
    public final long nextOffset;
    public final long logStartOffset;
    public final long logEndOffset;

    public LogReadInfo(final FileSlice records, final long nextOffset, final long logStartOffset,
        final long logEndOffset)
    {
        this.records = records;
        this.nextOffset = nextOffset;
        this.logStartOffset = logStartOffset;
        this.logEndOffset = logEndOffset;
    }

    @Override
    public String toString()
    {
        return "LogReadInfo(" + records + ", nextOffset=" + nextOffset + ", logStartOffset=" + logStartOffset
            + ", logEndOffset=" + logEndOffset + ")";
    }
}

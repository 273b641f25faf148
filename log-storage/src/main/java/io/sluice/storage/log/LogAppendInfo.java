package io.sluice.storage.log;

/**
 * What one append wrote. Mutable and reused by the caller, so that appending allocates nothing.
 */
public final class LogAppendInfo
{
    public long firstOffset;
    public long lastOffset;
    public long maxTimestamp;
    public long logAppendTimeMs;
    public int recordCount;
    public int batchCount;
    public int validBytes;

    void reset()
    {
        firstOffset = -1;
        lastOffset = -1;
        maxTimestamp = -1;
        logAppendTimeMs = -1;
        recordCount = 0;
        batchCount = 0;
        validBytes = 0;
    }

    @Override
    public String toString()
    {
        return "LogAppendInfo(firstOffset=" + firstOffset + ", lastOffset=" + lastOffset + ", maxTimestamp="
            + maxTimestamp + ", records=" + recordCount + ", batches=" + batchCount + ", bytes=" + validBytes + ")";
    }
}

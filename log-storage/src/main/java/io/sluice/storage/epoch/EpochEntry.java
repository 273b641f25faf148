package io.sluice.storage.epoch;

/** A leader epoch and the first offset written in it. */
public final class EpochEntry
{
    public final int epoch;
    public final long startOffset;

    public EpochEntry(final int epoch, final long startOffset)
    {
        this.epoch = epoch;
        this.startOffset = startOffset;
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof EpochEntry && ((EpochEntry)o).epoch == epoch && ((EpochEntry)o).startOffset == startOffset;
    }

    @Override
    public int hashCode()
    {
        return 31 * epoch + Long.hashCode(startOffset);
    }

    @Override
    public String toString()
    {
        return "EpochEntry(epoch=" + epoch + ", startOffset=" + startOffset + ")";
    }
}

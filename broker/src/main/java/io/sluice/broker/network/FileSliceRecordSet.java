package io.sluice.broker.network;

import io.sluice.common.protocol.RecordSet;
import io.sluice.storage.segment.FileSlice;

/** Batches in a segment file, sent by the network layer with {@code sendfile}. */
public final class FileSliceRecordSet implements RecordSet
{
    private final FileSlice slice;

    public FileSliceRecordSet(final FileSlice slice)
    {
        this.slice = slice;
    }

    public FileSlice slice()
    {
        return slice;
    }

    @Override
    public int sizeInBytes()
    {
        return slice.sizeInBytes();
    }
}

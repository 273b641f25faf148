package io.sluice.common.protocol;

import java.nio.ByteBuffer;

/** Record batches in a byte buffer, from position to limit. */
public final class MemoryRecordSet implements RecordSet
{
    public static final MemoryRecordSet EMPTY = new MemoryRecordSet(ByteBuffer.allocate(0));

    private final ByteBuffer buffer;

    public MemoryRecordSet(final ByteBuffer buffer)
    {
        this.buffer = buffer;
    }

    /** The batches; the returned buffer shares content with this set. */
    public ByteBuffer buffer()
    {
        return buffer.duplicate();
    }

    @Override
    public int sizeInBytes()
    {
        return buffer.remaining();
    }
}

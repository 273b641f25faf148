package io.sluice.common.utils;

import java.nio.ByteBuffer;

/**
 * Variable-length integers in the zig-zag encoding used by the v2 record format (the same as Protocol Buffers'
 * {@code sint32}/{@code sint64}). All methods use absolute indexes so callers keep control of buffer positions and
 * no method allocates.
 */
public final class ByteUtils
{
    /** Largest encoded size of a varint. */
    public static final int MAX_VARINT_SIZE = 5;
    /** Largest encoded size of a varlong. */
    public static final int MAX_VARLONG_SIZE = 10;

    private ByteUtils()
    {
    }

    /** Number of bytes {@code value} takes as a zig-zag varint. */
    public static int sizeOfVarint(final int value)
    {
        int v = (value << 1) ^ (value >> 31);
        int bytes = 1;
        while ((v & 0xffffff80) != 0)
        {
            bytes++;
            v >>>= 7;
        }
        return bytes;
    }

    /** Number of bytes {@code value} takes as a zig-zag varlong. */
    public static int sizeOfVarlong(final long value)
    {
        long v = (value << 1) ^ (value >> 63);
        int bytes = 1;
        while ((v & 0xffffffffffffff80L) != 0L)
        {
            bytes++;
            v >>>= 7;
        }
        return bytes;
    }

    /** Writes {@code value} at {@code index}; returns the index just past it. */
    public static int writeVarint(final ByteBuffer buffer, final int index, final int value)
    {
        int v = (value << 1) ^ (value >> 31);
        int i = index;
        while ((v & 0xffffff80) != 0)
        {
            buffer.put(i++, (byte)((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        buffer.put(i++, (byte)v);
        return i;
    }

    /** Writes {@code value} at {@code index}; returns the index just past it. */
    public static int writeVarlong(final ByteBuffer buffer, final int index, final long value)
    {
        long v = (value << 1) ^ (value >> 63);
        int i = index;
        while ((v & 0xffffffffffffff80L) != 0L)
        {
            buffer.put(i++, (byte)((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        buffer.put(i++, (byte)v);
        return i;
    }

    /**
     * Reads a varint starting at {@code index}, never past {@code limit}. The decoded value goes to the low 32 bits
     * of the result and the index just past it to the high 32 bits, so one call returns both without allocating.
     *
     * @throws IllegalArgumentException if the varint is longer than 5 bytes or runs past {@code limit}.
     */
    public static long readVarint(final ByteBuffer buffer, final int index, final int limit)
    {
        int value = 0;
        int i = index;
        int shift = 0;
        while (true)
        {
            if (i >= limit)
            {
                throw new IllegalArgumentException("varint runs past the end of its buffer at index " + i);
            }
            final byte b = buffer.get(i++);
            value |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                break;
            }
            shift += 7;
            if (shift > 28)
            {
                throw new IllegalArgumentException("varint is longer than 5 bytes at index " + index);
            }
        }
        final int decoded = (value >>> 1) ^ -(value & 1);
        return ((long)i << 32) | (decoded & 0xffffffffL);
    }

    /** The value half of a {@link #readVarint} result. */
    public static int varintValue(final long packed)
    {
        return (int)packed;
    }

    /** The next-index half of a {@link #readVarint} result. */
    public static int varintNext(final long packed)
    {
        return (int)(packed >>> 32);
    }

    /**
     * Reads a varlong starting at {@code index}, never past {@code limit}. Returns the value; the index past it is
     * stored into {@code nextIndex[0]} (a caller-owned, reused array) because a long leaves no room to pack both.
     */
    public static long readVarlong(final ByteBuffer buffer, final int index, final int limit, final int[] nextIndex)
    {
        long value = 0L;
        int i = index;
        int shift = 0;
        while (true)
        {
            if (i >= limit)
            {
                throw new IllegalArgumentException("varlong runs past the end of its buffer at index " + i);
            }
            final byte b = buffer.get(i++);
            value |= (long)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                break;
            }
            shift += 7;
            if (shift > 63)
            {
                throw new IllegalArgumentException("varlong is longer than 10 bytes at index " + index);
            }
        }
        nextIndex[0] = i;
        return (value >>> 1) ^ -(value & 1L);
    }
}

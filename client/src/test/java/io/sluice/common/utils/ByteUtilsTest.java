package io.sluice.common.utils;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ByteUtilsTest
{
    @Test
    void shouldRoundTripVarintsAtTheEdges()
    {
        final ByteBuffer buffer = ByteBuffer.allocate(16);
        final int[] values = {0, 1, -1, 63, -64, 64, -65, 8191, 8192, Integer.MAX_VALUE, Integer.MIN_VALUE};
        for (final int value : values)
        {
            final int end = ByteUtils.writeVarint(buffer, 3, value);
            assertEquals(ByteUtils.sizeOfVarint(value), end - 3);
            final long packed = ByteUtils.readVarint(buffer, 3, end);
            assertEquals(value, ByteUtils.varintValue(packed));
            assertEquals(end, ByteUtils.varintNext(packed));
        }
    }

    @Test
    void shouldRoundTripRandomVarlongs()
    {
        final ByteBuffer buffer = ByteBuffer.allocate(16);
        final SplittableRandom random = new SplittableRandom(7);
        final int[] next = new int[1];
        for (int i = 0; i < 100_000; i++)
        {
            final long value = random.nextLong() >> random.nextInt(64);
            final int end = ByteUtils.writeVarlong(buffer, 0, value);
            assertEquals(ByteUtils.sizeOfVarlong(value), end);
            assertEquals(value, ByteUtils.readVarlong(buffer, 0, end, next));
            assertEquals(end, next[0]);
        }
    }

    @Test
    void shouldRejectVarintsThatRunPastTheLimitOrAreTooLong()
    {
        final ByteBuffer buffer = ByteBuffer.wrap(new byte[] {(byte)0x80, (byte)0x80, (byte)0x80, (byte)0x80,
            (byte)0x80, (byte)0x80, 0x01});
        assertThrows(IllegalArgumentException.class, () -> ByteUtils.readVarint(buffer, 0, 2));
        assertThrows(IllegalArgumentException.class, () -> ByteUtils.readVarint(buffer, 0, 7));
        assertThrows(IllegalArgumentException.class, () -> ByteUtils.readVarlong(buffer, 0, 3, new int[1]));
    }
}

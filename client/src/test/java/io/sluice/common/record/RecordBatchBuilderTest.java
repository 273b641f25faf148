package io.sluice.common.record;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecordBatchBuilderTest
{
    @Test
    void shouldRoundTripLargeCompressibleAndIncompressibleBatchesAcrossManyLz4Blocks()
    {
        final SplittableRandom random = new SplittableRandom(42);
        final RecordBatchBuilder builder = new RecordBatchBuilder(64);
        final RecordBatchReader reader = new RecordBatchReader();
        for (final CompressionType compression : new CompressionType[] {CompressionType.NONE, CompressionType.LZ4})
        {
            for (final boolean compressible : new boolean[] {true, false})
            {
                builder.reset(compression, 99L, (short)1, 5).baseOffset(1_000);
                final byte[][] values = new byte[500][];
                for (int i = 0; i < values.length; i++)
                {
                    values[i] = new byte[random.nextInt(2_000)];
                    if (compressible)
                    {
                        java.util.Arrays.fill(values[i], (byte)'a');
                    }
                    else
                    {
                        random.nextBytes(values[i]);
                    }
                    final byte[] key = i % 7 == 0 ? null : ("k" + i).getBytes(StandardCharsets.UTF_8);
                    builder.append(1_000_000L + i, key, i % 11 == 0 ? null : values[i],
                        i % 3 == 0 ? new Header[] {new Header("h", null), new Header("é", new byte[] {1})}
                            : Header.NONE);
                }
                final ByteBuffer batch = builder.build();
                if (compression == CompressionType.LZ4 && compressible)
                {
                    assertTrue(batch.remaining() < builder.uncompressedRecordsSize() / 10);
                }
                final List<Record> records = reader.decode(batch, 0, batch.remaining());
                assertEquals(values.length, records.size());
                assertEquals(1_499L, RecordBatch.lastOffset(batch, 0));
                assertEquals(1_000_499L, RecordBatch.maxTimestamp(batch, 0));
                for (int i = 0; i < values.length; i++)
                {
                    final Record record = records.get(i);
                    assertEquals(1_000L + i, record.offset());
                    assertEquals(1_000_000L + i, record.timestamp());
                    if (i % 11 == 0)
                    {
                        assertNull(record.value());
                    }
                    else
                    {
                        assertArrayEquals(values[i], record.value());
                    }
                    assertEquals(i % 3 == 0 ? 2 : 0, record.headers().size());
                }
            }
        }
    }

    @Test
    void shouldRefuseToBuildAnEmptyBatch()
    {
        assertThrows(IllegalStateException.class, () -> new RecordBatchBuilder(16).build());
    }

    @Test
    void shouldKeepOffsetGapsWhenRewritingWithExplicitDeltas()
    {
        final RecordBatchBuilder builder = new RecordBatchBuilder(16).reset(CompressionType.LZ4);
        builder.baseOffset(10).baseTimestamp(500);
        builder.appendWithOffsetDelta(1, 501, new byte[] {1}, new byte[] {2}, Header.NONE);
        builder.appendWithOffsetDelta(4, 504, new byte[] {3}, null, Header.NONE);
        builder.lastOffsetDelta(6);
        final ByteBuffer batch = builder.build();
        final List<Record> records = new RecordBatchReader().decode(batch, 0, batch.remaining());
        assertEquals(11L, records.get(0).offset());
        assertEquals(14L, records.get(1).offset());
        assertEquals(16L, RecordBatch.lastOffset(batch, 0));
        assertEquals(504L, records.get(1).timestamp());
    }
}

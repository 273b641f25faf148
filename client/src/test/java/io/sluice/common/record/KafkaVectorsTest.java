package io.sluice.common.record;

import io.sluice.common.errors.CorruptRecordException;
import io.sluice.common.errors.SluiceException;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Checks our batch format against batches written by Apache Kafka's own client library, kept outside the repo in
 * {@code ../shared/vectors/record-batch}.
 */
class KafkaVectorsTest
{
    static Path vectorsDir()
    {
        Path dir = Paths.get(System.getProperty("user.dir")).toAbsolutePath();
        while (dir != null)
        {
            final Path candidate = dir.resolve("shared").resolve("vectors").resolve("record-batch");
            if (Files.isDirectory(candidate))
            {
                return candidate;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("No shared/vectors/record-batch above " + System.getProperty("user.dir")
            + "; the shared folder must sit beside the repository");
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> vectors() throws IOException
    {
        final String json = Files.readString(vectorsDir().resolve("vectors.json"), StandardCharsets.UTF_8);
        return (List<Map<String, Object>>)MiniJson.parse(json);
    }

    static ByteBuffer load(final Map<String, Object> vector) throws IOException
    {
        return ByteBuffer.wrap(Files.readAllBytes(vectorsDir().resolve((String)vector.get("file"))));
    }

    private static byte[] utf8(final Object s)
    {
        return s == null ? null : ((String)s).getBytes(StandardCharsets.UTF_8);
    }

    @TestFactory
    List<DynamicTest> everyVectorParsesToItsDescription() throws IOException
    {
        final List<DynamicTest> tests = new ArrayList<>();
        for (final Map<String, Object> vector : vectors())
        {
            tests.add(DynamicTest.dynamicTest((String)vector.get("file"), () -> checkFields(vector)));
        }
        return tests;
    }

    @SuppressWarnings("unchecked")
    private static void checkFields(final Map<String, Object> vector) throws IOException
    {
        final ByteBuffer batch = load(vector);
        assertEquals(((Long)vector.get("bytes")).intValue(), batch.remaining());
        assertEquals(batch.remaining(), RecordBatch.validate(batch, 0, batch.remaining(), new CRC32C()));
        assertEquals(vector.get("baseOffset"), RecordBatch.baseOffset(batch, 0));
        assertEquals(vector.get("lastOffset"), RecordBatch.lastOffset(batch, 0));
        assertEquals(vector.get("crc"), RecordBatch.checksum(batch, 0));
        assertEquals(vector.get("compression"), RecordBatch.compressionType(batch, 0).configName);
        assertEquals(vector.get("producerId"), RecordBatch.producerId(batch, 0));
        assertEquals(((Long)vector.get("producerEpoch")).shortValue(), RecordBatch.producerEpoch(batch, 0));
        assertEquals(((Long)vector.get("baseSequence")).intValue(), RecordBatch.baseSequence(batch, 0));
        assertEquals(vector.get("maxTimestamp"), RecordBatch.maxTimestamp(batch, 0));

        final List<Map<String, Object>> expected = (List<Map<String, Object>>)vector.get("records");
        final List<Record> records = new RecordBatchReader().decode(batch, 0, batch.remaining());
        assertEquals(expected.size(), records.size());
        assertEquals(expected.size(), RecordBatch.recordCount(batch, 0));
        for (int r = 0; r < records.size(); r++)
        {
            final Map<String, Object> want = expected.get(r);
            final Record got = records.get(r);
            assertEquals(want.get("offset"), got.offset(), "offset of record " + r);
            assertEquals(want.get("timestamp"), got.timestamp(), "timestamp of record " + r);
            assertArrayEquals(utf8(want.get("key")), got.key(), "key of record " + r);
            assertArrayEquals(utf8(want.get("value")), got.value(), "value of record " + r);
            final List<List<Object>> headers = (List<List<Object>>)want.get("headers");
            assertEquals(headers.size(), got.headers().size(), "headers of record " + r);
            for (int h = 0; h < headers.size(); h++)
            {
                assertEquals(headers.get(h).get(0), got.headers().get(h).key());
                assertArrayEquals(utf8(headers.get(h).get(1)), got.headers().get(h).value());
            }
        }
    }

    @TestFactory
    List<DynamicTest> uncompressedVectorsRebuildByteForByte() throws IOException
    {
        final List<DynamicTest> tests = new ArrayList<>();
        for (final Map<String, Object> vector : vectors())
        {
            if ("none".equals(vector.get("compression")))
            {
                tests.add(DynamicTest.dynamicTest((String)vector.get("file"), () -> rebuild(vector)));
            }
        }
        assertTrue(tests.size() >= 4, "expected several uncompressed vectors");
        return tests;
    }

    @SuppressWarnings("unchecked")
    private static void rebuild(final Map<String, Object> vector) throws IOException
    {
        final ByteBuffer original = load(vector);
        final RecordBatchBuilder builder = new RecordBatchBuilder(16);
        builder.reset(CompressionType.NONE, (Long)vector.get("producerId"),
            ((Long)vector.get("producerEpoch")).shortValue(), ((Long)vector.get("baseSequence")).intValue());
        builder.baseOffset((Long)vector.get("baseOffset"));
        for (final Map<String, Object> record : (List<Map<String, Object>>)vector.get("records"))
        {
            final List<List<Object>> headerList = (List<List<Object>>)record.get("headers");
            final Header[] headers = new Header[headerList.size()];
            for (int h = 0; h < headers.length; h++)
            {
                headers[h] = new Header((String)headerList.get(h).get(0), utf8(headerList.get(h).get(1)));
            }
            builder.append((Long)record.get("timestamp"), utf8(record.get("key")), utf8(record.get("value")),
                headers);
        }
        final ByteBuffer built = builder.build();
        final byte[] bytes = new byte[built.remaining()];
        built.get(bytes);
        assertArrayEquals(original.array(), bytes);
    }

    @TestFactory
    List<DynamicTest> flippingAnyCrcCoveredByteIsRejected() throws IOException
    {
        final List<DynamicTest> tests = new ArrayList<>();
        for (final Map<String, Object> vector : vectors())
        {
            tests.add(DynamicTest.dynamicTest((String)vector.get("file"), () ->
            {
                final byte[] original = load(vector).array();
                final RecordBatchReader reader = new RecordBatchReader();
                for (int i = RecordBatch.ATTRIBUTES_OFFSET; i < original.length; i++)
                {
                    for (final int flip : new int[] {0x01, 0x80, 0xff})
                    {
                        final byte[] damaged = original.clone();
                        damaged[i] ^= (byte)flip;
                        final ByteBuffer buffer = ByteBuffer.wrap(damaged);
                        final int index = i;
                        final CorruptRecordException e = assertThrows(CorruptRecordException.class,
                            () -> reader.decode(buffer, 0, damaged.length),
                            () -> "flipping byte " + index + " was not detected");
                        assertTrue(e.getMessage().contains("CRC"), e.getMessage());
                    }
                }
            }));
        }
        return tests;
    }

    @TestFactory
    List<DynamicTest> lz4VectorsRoundTripThroughOurCompressor() throws IOException
    {
        final List<DynamicTest> tests = new ArrayList<>();
        for (final Map<String, Object> vector : vectors())
        {
            if (!"lz4".equals(vector.get("compression")))
            {
                continue;
            }
            tests.add(DynamicTest.dynamicTest((String)vector.get("file"), () ->
            {
                final ByteBuffer original = load(vector);
                final RecordBatchReader reader = new RecordBatchReader();
                final List<Record> expected = reader.decode(original, 0, original.remaining());
                final RecordBatchBuilder builder = new RecordBatchBuilder(16).reset(CompressionType.LZ4);
                for (final Record record : expected)
                {
                    builder.append(record.timestamp(), record.key(), record.value(),
                        record.headers().toArray(Header.NONE));
                }
                final ByteBuffer rebuilt = builder.build();
                final List<Record> decoded = reader.decode(rebuilt, 0, rebuilt.remaining());
                assertEquals(expected.size(), decoded.size());
                for (int r = 0; r < decoded.size(); r++)
                {
                    assertEquals(expected.get(r).offset(), decoded.get(r).offset());
                    assertEquals(expected.get(r).timestamp(), decoded.get(r).timestamp());
                    assertArrayEquals(expected.get(r).key(), decoded.get(r).key());
                    assertArrayEquals(expected.get(r).value(), decoded.get(r).value());
                    assertEquals(expected.get(r).headers(), decoded.get(r).headers());
                }
            }));
        }
        return tests;
    }

    @TestFactory
    List<DynamicTest> everyTruncationIsRejected() throws IOException
    {
        final List<DynamicTest> tests = new ArrayList<>();
        for (final Map<String, Object> vector : vectors())
        {
            tests.add(DynamicTest.dynamicTest((String)vector.get("file"), () ->
            {
                final ByteBuffer original = load(vector);
                for (int length = 0; length < original.remaining(); length++)
                {
                    final int available = length;
                    assertThrows(CorruptRecordException.class,
                        () -> new RecordBatchReader().decode(original, 0, available));
                }
            }));
        }
        return tests;
    }

    @SuppressWarnings("unchecked")
    @TestFactory
    List<DynamicTest> tombstoneHasNullValue() throws IOException
    {
        final List<DynamicTest> tests = new ArrayList<>();
        for (final Map<String, Object> vector : vectors())
        {
            final List<Map<String, Object>> records = (List<Map<String, Object>>)vector.get("records");
            if (records.stream().anyMatch(r -> r.get("value") == null))
            {
                tests.add(DynamicTest.dynamicTest((String)vector.get("file"), () ->
                {
                    final ByteBuffer batch = load(vector);
                    final List<Record> decoded = new RecordBatchReader().decode(batch, 0, batch.remaining());
                    for (int r = 0; r < records.size(); r++)
                    {
                        if (records.get(r).get("value") == null)
                        {
                            assertNull(decoded.get(r).value());
                        }
                    }
                }));
            }
        }
        if (tests.isEmpty())
        {
            fail("no vector has a tombstone");
        }
        return tests;
    }

    @TestFactory
    List<DynamicTest> unknownMagicAndCodecAreRefused() throws IOException
    {
        final List<DynamicTest> tests = new ArrayList<>();
        final Map<String, Object> vector = vectors().get(0);
        tests.add(DynamicTest.dynamicTest("magic 1", () ->
        {
            final ByteBuffer batch = load(vector);
            batch.put(RecordBatch.MAGIC_OFFSET, (byte)1);
            final SluiceException e = assertThrows(SluiceException.class,
                () -> RecordBatch.validate(batch, 0, batch.remaining(), new CRC32C()));
            assertTrue(e.getMessage().contains("magic"), e.getMessage());
        }));
        return tests;
    }
}

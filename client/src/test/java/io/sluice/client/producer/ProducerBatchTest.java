package io.sluice.client.producer;

import io.sluice.common.TopicPartition;
import io.sluice.common.errors.SluiceException;
import io.sluice.common.record.CompressionType;
import io.sluice.common.record.Header;
import io.sluice.common.record.Record;
import io.sluice.common.record.RecordBatchBuilder;
import io.sluice.common.record.RecordBatchReader;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProducerBatchTest
{
    private static final TopicPartition TP = new TopicPartition("t", 3);

    @Test
    void everyRecordGetsItsOwnMetadataWhenSmallRecordsFollowALargeFirstOne()
    {
        // The first record sizes the per-record slots for about 17 records; hundreds of tiny ones follow.
        final ProducerBatch batch = new ProducerBatch(TP, new RecordBatchBuilder(16384), 16384,
            CompressionType.NONE, 0, 120_000);
        final List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
        futures.add(batch.tryAppend(1000, new byte[7], new byte[1000], Header.NONE));
        CompletableFuture<RecordMetadata> next;
        while ((next = batch.tryAppend(1000 + futures.size(), null, new byte[1], Header.NONE)) != null)
        {
            futures.add(next);
        }
        assertTrue(futures.size() > 500, "records that fit: " + futures.size());
        assertEquals(futures.size(), batch.recordCount());
        assertEquals(futures, batch.futures());
        batch.close(-1L, (short)-1, -1);
        assertNull(batch.tryAppend(0, null, new byte[1], Header.NONE), "a closed batch takes no more records");

        batch.complete(500);
        assertEquals(new RecordMetadata(TP, 500, 1000, 7, 1000), futures.get(0).join());
        for (int i = 1; i < futures.size(); i++)
        {
            assertEquals(new RecordMetadata(TP, 500 + i, 1000 + i, -1, 1), futures.get(i).join());
        }
        final List<Record> written = new RecordBatchReader().decodeAll(batch.bytes());
        assertEquals(futures.size(), written.size());
        assertEquals(1000, written.get(0).value().length);
    }

    @Test
    void aFailedBatchFailsEveryRecord()
    {
        final ProducerBatch batch = new ProducerBatch(TP, new RecordBatchBuilder(1024), 1024, CompressionType.NONE, 0,
            120_000);
        final CompletableFuture<RecordMetadata> first = batch.tryAppend(1, null, new byte[10], Header.NONE);
        final CompletableFuture<RecordMetadata> second = batch.tryAppend(2, null, new byte[10], Header.NONE);
        final SluiceException error = new SluiceException("refused");
        batch.fail(error);
        for (final CompletableFuture<RecordMetadata> future : List.of(first, second))
        {
            final ExecutionException thrown = assertThrows(ExecutionException.class, future::get);
            assertInstanceOf(SluiceException.class, thrown.getCause());
        }
    }
}

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
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProducerBatchTest
{
    private static final TopicPartition TP = new TopicPartition("t", 3);

    /** Appends as send(record) does: the future is the record's callback. Null when the batch is full. */
    private static CompletableFuture<RecordMetadata> append(final ProducerBatch batch, final long timestamp,
        final byte[] key, final byte[] value)
    {
        final CallbackFuture future = new CallbackFuture();
        return batch.tryAppend(timestamp, key, value, Header.NONE, future) == null ? null : future;
    }

    @Test
    void everyRecordGetsItsOwnMetadataWhenSmallRecordsFollowALargeFirstOne()
    {
        // The first record sizes the per-record slots for about 17 records; hundreds of tiny ones follow.
        final ProducerBatch batch = new ProducerBatch(TP, new RecordBatchBuilder(16384), 16384,
            CompressionType.NONE, 0, 120_000);
        final List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
        futures.add(append(batch, 1000, new byte[7], new byte[1000]));
        CompletableFuture<RecordMetadata> next;
        while ((next = append(batch, 1000 + futures.size(), null, new byte[1])) != null)
        {
            futures.add(next);
        }
        assertTrue(futures.size() > 500, "records that fit: " + futures.size());
        assertEquals(futures.size(), batch.recordCount());
        batch.close(-1L, (short)-1, -1);
        assertNull(append(batch, 0, null, new byte[1]), "a closed batch takes no more records");

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
        final CompletableFuture<RecordMetadata> first = append(batch, 1, null, new byte[10]);
        final CompletableFuture<RecordMetadata> second = append(batch, 2, null, new byte[10]);
        final SluiceException error = new SluiceException("refused");
        batch.fail(error);
        for (final CompletableFuture<RecordMetadata> future : List.of(first, second))
        {
            final ExecutionException thrown = assertThrows(ExecutionException.class, future::get);
            assertInstanceOf(SluiceException.class, thrown.getCause());
        }
    }

    @Test
    void callbacksHearOnceAndTheFuturesKeepTheOutcome() throws Exception
    {
        final ProducerBatch batch = new ProducerBatch(TP, new RecordBatchBuilder(1024), 1024, CompressionType.NONE, 0,
            120_000);
        final List<String> heard = new ArrayList<>();
        final Future<RecordMetadata> first = batch.tryAppend(5, null, new byte[10], Header.NONE,
            (m, e) -> heard.add("first " + m.offset() + " " + e));
        final Future<RecordMetadata> throwing = batch.tryAppend(6, new byte[2], new byte[10], Header.NONE, (m, e) ->
        {
            throw new IllegalStateException("the application's bug");
        });
        final boolean[] doneWhileCalled = {true};
        final Future<RecordMetadata> third = batch.tryAppend(7, null, new byte[10], Header.NONE, (m, e) ->
        {
            heard.add("third " + m.offset() + " " + e);
            doneWhileCalled[0] = batch.isDone();
        });
        assertFalse(first.isDone());
        assertThrows(TimeoutException.class, () -> first.get(1, TimeUnit.MILLISECONDS));
        assertFalse(first.cancel(true), "a record handed to the producer cannot be called back");

        batch.close(-1L, (short)-1, -1);
        batch.complete(40);
        // A late second outcome (an expiry racing the answer) must not reach the callbacks again.
        batch.fail(new SluiceException("too late"));
        batch.complete(99);

        assertEquals(List.of("first 40 null", "third 42 null"), heard, "a throwing callback stops no other");
        assertFalse(doneWhileCalled[0], "done (what flush waits for) only once every callback ran");
        assertTrue(first.isDone());
        assertEquals(new RecordMetadata(TP, 40, 5, -1, 10), first.get());
        assertEquals(new RecordMetadata(TP, 41, 6, 2, 10), throwing.get(1, TimeUnit.SECONDS));
        assertEquals(new RecordMetadata(TP, 42, 7, -1, 10), third.get());
    }

    @Test
    void aFailedBatchFailsTheFuturesOfCallbackSends()
    {
        final ProducerBatch batch = new ProducerBatch(TP, new RecordBatchBuilder(1024), 1024, CompressionType.NONE, 0,
            120_000);
        final List<Exception> heard = new ArrayList<>();
        final Future<RecordMetadata> future = batch.tryAppend(1, null, new byte[10], Header.NONE,
            (m, e) -> heard.add(e));
        final SluiceException error = new SluiceException("refused");
        batch.fail(error);
        assertEquals(List.of(error), heard);
        final ExecutionException thrown = assertThrows(ExecutionException.class, future::get);
        assertEquals(error, thrown.getCause());
    }
}

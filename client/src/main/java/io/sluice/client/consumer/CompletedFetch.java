package io.sluice.client.consumer;

import io.sluice.common.TopicPartition;
import io.sluice.common.errors.SluiceException;
import io.sluice.common.protocol.Errors;
import io.sluice.common.record.Record;

import java.util.List;

/**
 * One partition's part of a fetch response, decoded on the I/O thread while the application works: the records
 * from the fetch offset on, the offset after the last batch, or the error.
 */
record CompletedFetch(TopicPartition topicPartition, long fetchOffset, Errors error, SluiceException failure,
    List<Record> records, long nextOffset, long highWatermark)
{
}

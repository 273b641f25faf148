package io.sluice.common.protocol;

/**
 * Record batches carried by a message. In-memory sets ({@link MemoryRecordSet}) are copied into the message
 * buffer; any other kind (a slice of a segment file on the broker) travels as its own part of the send, so the
 * network layer can transmit it with zero copy.
 */
public interface RecordSet
{
    int sizeInBytes();
}

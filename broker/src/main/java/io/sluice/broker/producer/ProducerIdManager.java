package io.sluice.broker.producer;

import io.sluice.common.errors.StorageException;
import io.sluice.storage.checkpoint.CheckpointFile;

import java.nio.file.Path;
import java.util.List;

/**
 * Hands out producer ids that are never reused, across the cluster and across crashes: blocks of ids are reserved
 * through the metadata quorum, and the end of this broker's block is also kept on disk, so ids given out before the
 * cluster counted them (an older single-node broker) are never reserved again.
 */
public final class ProducerIdManager
{
    static final long BLOCK_SIZE = io.sluice.broker.metadata.MetadataStore.PRODUCER_ID_BLOCK_SIZE;

    private final CheckpointFile file;
    private final java.util.function.LongUnaryOperator reserveBlockFrom;
    private long next;
    private long blockEnd;

    public ProducerIdManager(final Path dataDir, final java.util.function.LongUnaryOperator reserveBlockFrom)
    {
        this.reserveBlockFrom = reserveBlockFrom;
        this.file = new CheckpointFile(dataDir.resolve("producer-id-block"));
        final List<String> lines = file.read();
        try
        {
            this.next = lines.isEmpty() ? 0 : Long.parseLong(lines.get(0).trim());
        }
        catch (final NumberFormatException e)
        {
            throw new StorageException("Malformed producer id block file " + file.file());
        }
        this.blockEnd = next;
    }

    public synchronized long nextProducerId()
    {
        if (next >= blockEnd)
        {
            next = reserveBlockFrom.applyAsLong(next);
            blockEnd = next + BLOCK_SIZE;
            file.write(List.of(Long.toString(blockEnd)));
        }
        return next++;
    }
}

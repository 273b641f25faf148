package io.sluice.broker.producer;

import io.sluice.common.errors.StorageException;
import io.sluice.storage.checkpoint.CheckpointFile;

import java.nio.file.Path;
import java.util.List;

/**
 * Hands out producer ids that are never reused, even across crashes: ids are reserved in blocks whose end is
 * persisted before any id of the block is given out.
 */
public final class ProducerIdManager
{
    static final long BLOCK_SIZE = 1000;

    private final CheckpointFile file;
    private long next;
    private long blockEnd;

    public ProducerIdManager(final Path dataDir)
    {
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
            blockEnd = next + BLOCK_SIZE;
            file.write(List.of(Long.toString(blockEnd)));
        }
        return next++;
    }
}

package io.sluice.broker.metadata;

import io.sluice.common.errors.StorageException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.UUID;

/**
 * {@code meta.properties} in a data directory: which node the directory belongs to, so a directory copied or
 * mounted under the wrong broker is refused instead of served as someone else's replicas.
 */
public final class MetaProperties
{
    private MetaProperties()
    {
    }

    /**
     * Checks the directory belongs to {@code nodeId}, writing the file on first use.
     *
     * @throws StorageException if it belongs to another node or cannot be read or written.
     */
    public static void check(final Path dataDir, final int nodeId)
    {
        final Path file = dataDir.resolve("meta.properties");
        try
        {
            if (!Files.exists(file))
            {
                Files.writeString(file, "version=1\ncluster.id=" + UUID.randomUUID() + "\nnode.id=" + nodeId + "\n",
                    StandardCharsets.UTF_8);
                return;
            }
            final Properties props = new Properties();
            try (var reader = Files.newBufferedReader(file, StandardCharsets.UTF_8))
            {
                props.load(reader);
            }
            final String storedNode = props.getProperty("node.id");
            if (storedNode != null && Integer.parseInt(storedNode.trim()) != nodeId)
            {
                throw new StorageException("Data directory " + dataDir + " belongs to node " + storedNode
                    + ", not to node " + nodeId + " (see " + file + ")");
            }
        }
        catch (final IOException | NumberFormatException e)
        {
            throw new StorageException("Cannot read or write " + file + ": " + e, e);
        }
    }
}

package io.sluice.storage.checkpoint;

import io.sluice.common.TopicPartition;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A per-data-directory checkpoint of one offset per partition, such as the recovery point or the log start
 * offset. Entries are {@code topic partition offset}; topic names cannot contain spaces.
 */
public final class OffsetCheckpointFile
{
    private final CheckpointFile file;

    public OffsetCheckpointFile(final Path path)
    {
        this.file = new CheckpointFile(path);
    }

    public Path path()
    {
        return file.file();
    }

    public void write(final Map<TopicPartition, Long> offsets)
    {
        final List<String> lines = new ArrayList<>(offsets.size());
        for (final Map.Entry<TopicPartition, Long> entry : new TreeMap<>(offsets).entrySet())
        {
            lines.add(entry.getKey().topic() + " " + entry.getKey().partition() + " " + entry.getValue());
        }
        file.write(lines);
    }

    public Map<TopicPartition, Long> read()
    {
        final Map<TopicPartition, Long> offsets = new HashMap<>();
        for (final String line : file.read())
        {
            final String[] parts = line.trim().split(" ");
            if (parts.length != 3)
            {
                throw file.malformed("line '" + line + "' is not 'topic partition offset'");
            }
            try
            {
                offsets.put(new TopicPartition(parts[0], Integer.parseInt(parts[1])), Long.parseLong(parts[2]));
            }
            catch (final IllegalArgumentException e)
            {
                throw file.malformed("line '" + line + "' is not 'topic partition offset'");
            }
        }
        return offsets;
    }
}

package io.sluice.storage.checkpoint;

import io.sluice.common.errors.StorageException;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A small text file of versioned entries, written atomically: a temporary file is written and fsynced, renamed over
 * the old one, and the directory fsynced, so a crash leaves either the old or the new content, never a mix. The
 * layout is Kafka's: a version line, a count line, then one entry per line.
 */
public final class CheckpointFile
{
    public static final int VERSION = 0;

    private final Path file;

    public CheckpointFile(final Path file)
    {
        this.file = file;
    }

    public Path file()
    {
        return file;
    }

    /** Replaces the file's entries. */
    public synchronized void write(final List<String> lines)
    {
        final Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try
        {
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
                BufferedWriter writer = new BufferedWriter(new OutputStreamWriter(
                    java.nio.channels.Channels.newOutputStream(channel), StandardCharsets.UTF_8)))
            {
                writer.write(Integer.toString(VERSION));
                writer.newLine();
                writer.write(Integer.toString(lines.size()));
                writer.newLine();
                for (final String line : lines)
                {
                    writer.write(line);
                    writer.newLine();
                }
                writer.flush();
                channel.force(true);
            }
            try
            {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            catch (final AtomicMoveNotSupportedException e)
            {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            fsyncDirectory(file.getParent());
        }
        catch (final IOException e)
        {
            throw new StorageException("Could not write checkpoint file " + file + ": " + e, e);
        }
    }

    /** The entries, or an empty list when the file does not exist. */
    public synchronized List<String> read()
    {
        final List<String> all;
        try
        {
            all = Files.readAllLines(file, StandardCharsets.UTF_8);
        }
        catch (final NoSuchFileException e)
        {
            return new ArrayList<>();
        }
        catch (final IOException e)
        {
            throw new StorageException("Could not read checkpoint file " + file + ": " + e, e);
        }
        if (all.size() < 2)
        {
            throw malformed("it has no version and count lines");
        }
        final int version;
        final int count;
        try
        {
            version = Integer.parseInt(all.get(0).trim());
            count = Integer.parseInt(all.get(1).trim());
        }
        catch (final NumberFormatException e)
        {
            throw malformed("its version or count is not a number");
        }
        if (version != VERSION)
        {
            throw malformed("version " + version + " is not " + VERSION);
        }
        if (count != all.size() - 2)
        {
            throw malformed("it announces " + count + " entries but has " + (all.size() - 2));
        }
        return new ArrayList<>(all.subList(2, all.size()));
    }

    public StorageException malformed(final String why)
    {
        return new StorageException("Checkpoint file " + file + " is malformed: " + why);
    }

    /** Makes a rename or file creation in {@code dir} durable. */
    public static void fsyncDirectory(final Path dir)
    {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ))
        {
            channel.force(true);
        }
        catch (final IOException e)
        {
            // Some file systems refuse to open directories; the rename is then as durable as they make it.
        }
    }
}

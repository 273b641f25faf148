package io.sluice.storage.index;

import io.sluice.storage.util.MappedBuffers;
import io.sluice.storage.util.MappedFileGrowth;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A sparse, memory-mapped index of fixed-size entries sorted by offset, one file per segment. Subclasses define only
 * the entry layout. Entries store offsets relative to the segment's base offset so that they fit in 4 bytes.
 *
 * <p>The index is not checksummed: after an unclean shutdown it is rebuilt from the log, which is the source of
 * truth. The file is preallocated to {@code maxIndexSize} while its segment is active and trimmed to its entries
 * when the segment rolls or closes, so on open the entry count is the file length divided by the entry size.
 *
 * <p>Thread-safety: one writer (the partition's appender, which the log serializes) and any number of readers.
 * Readers take the read lock only to keep the mapping alive while they search; the write lock is taken only to
 * remap or unmap, never on append, so readers never delay appends. The mapping is created lazily on first use so
 * that opening thousands of partitions maps nothing.
 */
public abstract class AbstractIndex implements AutoCloseable
{
    /** How far past its entries a writable index file extends: bounds a page fault's zero-filling. */
    private static final long FILE_GROWTH_STEP = 64 * 1024;
    protected final long baseOffset;
    private final int entrySize;
    private final ReentrantReadWriteLock mappingLock = new ReentrantReadWriteLock();
    private volatile Path file;
    private volatile int maxEntries;
    private volatile int entries;
    private MappedByteBuffer mmap;
    private long mappedLength;
    /** Keeps the file a step past its entries; the mapping reaches further. Extended under this lock. */
    private final MappedFileGrowth growth;
    private boolean closed;

    protected AbstractIndex(final Path file, final long baseOffset, final int entrySize, final int maxIndexSize,
        final boolean writable) throws IOException
    {
        this.file = file;
        this.baseOffset = baseOffset;
        this.entrySize = entrySize;
        final boolean existed = Files.exists(file);
        final long length = existed ? Files.size(file) : 0L;
        if (length % entrySize != 0)
        {
            throw new CorruptIndexException("Index file " + file + " has length " + length
                + ", not a multiple of the entry size " + entrySize);
        }
        if (!existed)
        {
            Files.createFile(file);
        }
        this.entries = (int)(length / entrySize);
        this.growth = new MappedFileGrowth(FILE_GROWTH_STEP, length);
        this.maxEntries = writable ? Math.max(entries, maxIndexSize / entrySize) : entries;
    }

    public Path file()
    {
        return file;
    }

    public long baseOffset()
    {
        return baseOffset;
    }

    public int entries()
    {
        return entries;
    }

    public int maxEntries()
    {
        return maxEntries;
    }

    public boolean isFull()
    {
        return entries >= maxEntries;
    }

    protected int entrySize()
    {
        return entrySize;
    }

    /** The size in bytes of the valid entries. */
    public int sizeInBytes()
    {
        return entries * entrySize;
    }

    /** Maps the file if needed, sized for {@code maxEntries}. Called with the read or write lock held. */
    private MappedByteBuffer mapping()
    {
        MappedByteBuffer buffer = mmap;
        if (buffer != null)
        {
            return buffer;
        }
        synchronized (this)
        {
            if (closed)
            {
                throw new IllegalStateException("Index " + file + " is closed");
            }
            if (mmap == null)
            {
                final long length = (long)maxEntries * entrySize;
                try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
                {
                    mmap = growth.map(raf.getChannel(), length);
                    mappedLength = length;
                }
                catch (final IOException e)
                {
                    throw new UncheckedIOException("Could not map index file " + file, e);
                }
            }
            return mmap;
        }
    }

    /** Runs a search over the mapped entries while holding the mapping alive. */
    protected final long search(final IndexSearch search, final long target)
    {
        final ReentrantReadWriteLock.ReadLock lock = mappingLock.readLock();
        lock.lock();
        try
        {
            final int n = entries;
            if (n == 0)
            {
                return search.empty();
            }
            return search.search(mapping(), n, target);
        }
        finally
        {
            lock.unlock();
        }
    }

    /** Reads entry {@code n} via the mapping, for sanity checks and tests. */
    protected final long readEntry(final IndexSearch reader, final int n)
    {
        final ReentrantReadWriteLock.ReadLock lock = mappingLock.readLock();
        lock.lock();
        try
        {
            return reader.search(mapping(), n, -1);
        }
        finally
        {
            lock.unlock();
        }
    }

    /** A search over {@code entries} entries of {@code buffer}, returning a packed result. */
    protected interface IndexSearch
    {
        long search(ByteBuffer buffer, int entries, long target);

        long empty();
    }

    /** Writes the next entry with {@code writer}; called only by the partition's single writer. */
    protected final void appendEntry(final EntryWriter writer, final long a, final long b)
    {
        if (entries >= maxEntries)
        {
            throw new IllegalStateException("Index " + file + " is full (" + maxEntries + " entries)");
        }
        final ReentrantReadWriteLock.ReadLock lock = mappingLock.readLock();
        lock.lock();
        try
        {
            final ByteBuffer buffer = mapping();
            final int position = entries * entrySize;
            if (!growth.covers(position + entrySize))
            {
                extendFileTo(position + entrySize);
            }
            writer.write(buffer, position, a, b);
        }
        finally
        {
            lock.unlock();
        }
        entries = entries + 1;
    }

    private synchronized void extendFileTo(final long end)
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            growth.extendTo(raf.getChannel(), end);
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("Could not extend index file " + file + " past " + end + " bytes", e);
        }
    }

    /** Writes one entry at a byte index. */
    protected interface EntryWriter
    {
        void write(ByteBuffer buffer, int index, long a, long b);
    }

    /** Drops entries from {@code n} on. */
    protected final void truncateToEntries(final int n)
    {
        entries = Math.max(0, Math.min(n, entries));
    }

    public void reset()
    {
        truncateToEntries(0);
    }

    /**
     * Shrinks the file to its entries and forbids further appends; the segment has rolled. The mapping stays: the
     * valid entries lie within the new length, so readers keep working, and remapping would make them wait.
     */
    public synchronized void trimToValidSize() throws IOException
    {
        maxEntries = entries;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.setLength((long)entries * entrySize);
            growth.truncatedTo(raf.length());
        }
    }

    /** Allows appends again up to {@code maxIndexSize}, for a segment that becomes active after a truncation. */
    public void makeWritable(final int maxIndexSize) throws IOException
    {
        final int newMax = Math.max(entries, maxIndexSize / entrySize);
        final ReentrantReadWriteLock.WriteLock lock = mappingLock.writeLock();
        lock.lock();
        try
        {
            synchronized (this)
            {
                if ((long)newMax * entrySize > mappedLength && mmap != null)
                {
                    MappedBuffers.unmap(mmap);
                    mmap = null;
                }
                maxEntries = newMax;
            }
        }
        finally
        {
            lock.unlock();
        }
    }

    public void flush()
    {
        final ReentrantReadWriteLock.ReadLock lock = mappingLock.readLock();
        lock.lock();
        try
        {
            final MappedByteBuffer buffer = mmap;
            if (buffer != null)
            {
                buffer.force();
            }
        }
        finally
        {
            lock.unlock();
        }
    }

    /** Renames the file, for example to mark it for deletion; the mapping follows the inode and stays valid. */
    public void renameTo(final Path target) throws IOException
    {
        Files.move(file, target);
        file = target;
    }

    /** Trims, unmaps and closes. Readers that still hold the read lock finish first. */
    @Override
    public void close() throws IOException
    {
        if (!unmapForGood())
        {
            return;
        }
        if (Files.exists(file))
        {
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
            {
                raf.setLength((long)entries * entrySize);
            }
        }
    }

    /** Closes without trimming and deletes the file. */
    public void closeAndDelete() throws IOException
    {
        unmapForGood();
        Files.deleteIfExists(file);
    }

    /** Marks the index closed and releases its mapping once no reader uses it; false if it was already closed. */
    private boolean unmapForGood()
    {
        final ReentrantReadWriteLock.WriteLock lock = mappingLock.writeLock();
        lock.lock();
        try
        {
            synchronized (this)
            {
                if (closed)
                {
                    return false;
                }
                closed = true;
                if (mmap != null)
                {
                    MappedBuffers.unmap(mmap);
                    mmap = null;
                }
                return true;
            }
        }
        finally
        {
            lock.unlock();
        }
    }

    /** Checks entry ordering and bounds; throws {@link CorruptIndexException} describing the first problem. */
    public abstract void sanityCheck(long logSizeInBytes);
}

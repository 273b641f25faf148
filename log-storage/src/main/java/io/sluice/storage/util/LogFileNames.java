package io.sluice.storage.util;

import java.nio.file.Path;

/** File names within a partition directory, all derived from a segment's base offset written as 20 digits. */
public final class LogFileNames
{
    public static final String LOG_SUFFIX = ".log";
    public static final String INDEX_SUFFIX = ".index";
    public static final String TIME_INDEX_SUFFIX = ".timeindex";
    /** Appended to the files of a segment that waits for asynchronous deletion. */
    public static final String DELETED_SUFFIX = ".deleted";
    /** A segment being written by the cleaner; incomplete until renamed to {@link #SWAP_SUFFIX}. */
    public static final String CLEANED_SUFFIX = ".cleaned";
    /** A finished cleaned segment that replaces the originals; completed on restart if a crash interrupts it. */
    public static final String SWAP_SUFFIX = ".swap";
    /** Appended to a partition directory that waits for asynchronous deletion. */
    public static final String DELETE_DIR_SUFFIX = "-delete";
    public static final String LEADER_EPOCH_CHECKPOINT = "leader-epoch-checkpoint";

    private LogFileNames()
    {
    }

    /** The 20-digit, zero-padded form of an offset. */
    public static String filenamePrefix(final long offset)
    {
        final String digits = Long.toString(offset);
        final StringBuilder sb = new StringBuilder(20);
        for (int i = digits.length(); i < 20; i++)
        {
            sb.append('0');
        }
        return sb.append(digits).toString();
    }

    public static Path logFile(final Path dir, final long baseOffset)
    {
        return dir.resolve(filenamePrefix(baseOffset) + LOG_SUFFIX);
    }

    public static Path indexFile(final Path dir, final long baseOffset)
    {
        return dir.resolve(filenamePrefix(baseOffset) + INDEX_SUFFIX);
    }

    public static Path timeIndexFile(final Path dir, final long baseOffset)
    {
        return dir.resolve(filenamePrefix(baseOffset) + TIME_INDEX_SUFFIX);
    }

    /**
     * The base offset from a file name such as {@code 00000000000000001234.log}, or -1 if the name does not start
     * with 20 digits followed by a dot.
     */
    public static long baseOffsetOf(final String fileName)
    {
        if (fileName.length() < 21 || fileName.charAt(20) != '.')
        {
            return -1;
        }
        long offset = 0;
        for (int i = 0; i < 20; i++)
        {
            final char c = fileName.charAt(i);
            if (c < '0' || c > '9')
            {
                return -1;
            }
            offset = offset * 10 + (c - '0');
        }
        return offset;
    }
}

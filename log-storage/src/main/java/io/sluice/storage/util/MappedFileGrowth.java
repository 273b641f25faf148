package io.sluice.storage.util;

/**
 * How far a memory-mapped file that is written at its end should extend on disk.
 *
 * <p>The mapping covers the whole preallocated size, but the file itself stays only a short step longer than its
 * data. The reason is the kernel's fault path: a store into a mapped page that is not in the page cache reads the
 * page first, and with it a read-around window of the device's {@code read_ahead_kb} (8 MiB on the machines we
 * measure on). In a sparse preallocated file that window is a hole, so the faulting thread zero-fills megabytes of
 * fresh pages: 17-38 ms on a broker network thread, several times a minute, which was most of the end-to-end
 * latency tail. Read-around never passes the end of the file, so a file that ends a step past its data bounds
 * that work by the step.
 */
public final class MappedFileGrowth
{
    /** Page granularity of the lengths chosen here. */
    static final long PAGE = 4096;

    private MappedFileGrowth()
    {
    }

    /**
     * The length to extend a file to so that its first {@code needed} bytes exist: {@code step} past
     * {@code needed}, rounded up to a page, at most {@code limit} (the mapped size), and never less than
     * {@code needed}.
     */
    public static long lengthFor(final long needed, final long step, final long limit)
    {
        final long stepped = (needed + step + PAGE - 1) / PAGE * PAGE;
        return Math.max(needed, Math.min(stepped, limit));
    }
}

package io.sluice.storage.util;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads the not yet written part of a mapped file into the page cache on a thread of its own, so that the thread
 * appending through the mapping finds its pages there instead of faulting them in.
 *
 * <p>A fault on a page that is not cached allocates and zero-fills it, with a read-around of the neighbouring
 * holes, while the appending thread (a broker network thread) waits: 0.8-3 ms at a time on the virtual machines we
 * measure on, where fresh memory is slow to touch, so about 4 times a second at 10,000 records/s. Reading a hole
 * through the channel caches the same zeroed pages and writes nothing, so it can never race with an append; it only
 * has to run before the appender gets there, which is what {@link MappedFileGrowth} leaves it time for.
 *
 * <p>Requests beyond what the thread keeps up with are dropped: the appender then faults the pages itself, as it
 * would without the warmer. A file closed meanwhile (its segment rolled or was deleted) is skipped.
 */
public final class PageCacheWarmer implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(PageCacheWarmer.class);
    private static final int CHUNK = 64 * 1024;
    private static final int MAX_PENDING = 1024;

    private static final PageCacheWarmer SHARED = new PageCacheWarmer("page-cache-warmer");

    private final BlockingQueue<Request> pending = new ArrayBlockingQueue<>(MAX_PENDING);
    private final Thread thread;
    private final AtomicLong warmedBytes = new AtomicLong();
    private final AtomicLong droppedRequests = new AtomicLong();

    private record Request(FileChannel channel, long from, long to)
    {
    }

    PageCacheWarmer(final String threadName)
    {
        thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    /** The one warmer of this process: page faults cost the same whichever log they are in. */
    public static PageCacheWarmer shared()
    {
        return SHARED;
    }

    /** Asks for bytes {@code [from, to)} of {@code channel} to be read into the page cache soon. */
    public void warm(final FileChannel channel, final long from, final long to)
    {
        if (to > from && !pending.offer(new Request(channel, from, to)))
        {
            droppedRequests.incrementAndGet();
        }
    }

    /** Bytes read into the page cache so far. */
    public long warmedBytes()
    {
        return warmedBytes.get();
    }

    /** Requests dropped because the warmer was behind. */
    public long droppedRequests()
    {
        return droppedRequests.get();
    }

    /** Stops the thread; requests still pending are dropped. */
    @Override
    public void close()
    {
        thread.interrupt();
    }

    private void run()
    {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK);
        while (true)
        {
            final Request request;
            try
            {
                request = pending.take();
            }
            catch (final InterruptedException e)
            {
                return;
            }
            try
            {
                read(request, buffer);
            }
            catch (final ClosedChannelException e)
            {
                // The segment stopped being written (rolled, truncated away, deleted): nothing left to warm.
            }
            catch (final IOException | RuntimeException e)
            {
                // Only a read failed; the appender will fault the pages in itself and report a real I/O problem.
                LOG.warn("Could not read ahead into the page cache: {}", e.toString());
            }
        }
    }

    private void read(final Request request, final ByteBuffer buffer) throws IOException
    {
        long position = request.from;
        while (position < request.to)
        {
            buffer.clear().limit((int)Math.min(CHUNK, request.to - position));
            final int read = request.channel.read(buffer, position);
            if (read <= 0)
            {
                return;
            }
            position += read;
            warmedBytes.addAndGet(read);
        }
    }
}

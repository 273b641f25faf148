package io.sluice.perf;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A thread hand-off in {@code sluice perf floor}: the caller queues byte chunks and a thread of its own writes them,
 * everything queued since its last write in one go, as a producer's I/O thread or a broker's network thread does.
 * The queue is unbounded so the caller never waits for the writer.
 */
final class HandOffWriter
{
    private static final byte[] END = new byte[0];

    private final OutputStream out;
    private final BlockingQueue<byte[]> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile IOException failure;

    HandOffWriter(final OutputStream out, final String threadName)
    {
        this.out = out;
        this.thread = new Thread(this::run, threadName);
        thread.start();
    }

    /** Queues {@code chunk}; throws what made the writer fail, if it did. */
    void add(final byte[] chunk) throws IOException
    {
        if (failure != null)
        {
            throw failure;
        }
        queue.add(chunk);
    }

    /** Writes what is queued, stops the thread, and throws what made it fail, if anything did. */
    void finish() throws IOException, InterruptedException
    {
        queue.add(END);
        thread.join();
        if (failure != null)
        {
            throw failure;
        }
    }

    private void run()
    {
        final List<byte[]> taken = new ArrayList<>();
        try
        {
            while (true)
            {
                taken.add(queue.take());
                queue.drainTo(taken);
                final boolean last = taken.get(taken.size() - 1) == END;
                int length = 0;
                for (final byte[] chunk : taken)
                {
                    length += chunk.length;
                }
                final byte[] batch = new byte[length];
                int position = 0;
                for (final byte[] chunk : taken)
                {
                    System.arraycopy(chunk, 0, batch, position, chunk.length);
                    position += chunk.length;
                }
                out.write(batch);
                taken.clear();
                if (last)
                {
                    return;
                }
            }
        }
        catch (final IOException e)
        {
            failure = e;
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
    }
}

package io.sluice.common.runtime;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Puts the JIT's threads of this JVM (the C1 and C2 compilers, the code cache sweeper) under Linux's SCHED_IDLE
 * policy, so that any other thread woken onto their CPU preempts them at once.
 *
 * <p>Why: a compilation holds a CPU for milliseconds. With two CPUs, a network or client thread woken onto the CPU
 * a compiler runs on waited for it up to a scheduler tick (4 ms at HZ=250), even with the compiler at nice 19: the
 * kernel's fair scheduler lets a running task finish its slice whatever its weight, and preempts it at once only
 * when it runs under SCHED_IDLE (benchmarks/RESULTS.md, session 14). The compilers still get every CPU cycle no
 * other thread wants. Lowering a thread to SCHED_IDLE needs no privilege.
 *
 * <p>The JIT's threads must exist when this runs: the launcher starts the JVM with
 * {@code -XX:-UseDynamicNumberOfCompilerThreads}, which creates them all during start-up instead of on demand.
 * There is no Java API for a thread's scheduling policy, so each thread is moved with util-linux's {@code chrt}.
 */
public final class JitThreadScheduling
{
    private static final Logger LOG = LoggerFactory.getLogger(JitThreadScheduling.class);

    /** The system property the launcher sets: {@code idle} moves the JIT's threads, anything else leaves them. */
    public static final String PROPERTY = "sluice.jit.threads";

    /** The names the JVM gives these threads, as Linux keeps them (the first 15 characters). */
    private static final Set<String> JIT_THREAD_NAMES = Set.of("C1 CompilerThre", "C2 CompilerThre",
        "Sweeper thread");

    private static final long CHRT_TIMEOUT_SECONDS = 10;

    private final Path taskDirectory;
    private final String chrt;

    /** For this JVM, with the {@code chrt} found on the PATH. */
    public JitThreadScheduling()
    {
        this(Path.of("/proc/self/task"), "chrt");
    }

    JitThreadScheduling(final Path taskDirectory, final String chrt)
    {
        this.taskDirectory = taskDirectory;
        this.chrt = chrt;
    }

    /** A thread of this process: its id (the name of its directory under /proc/self/task) and its name. */
    public record JitThread(String id, String name)
    {
        @Override
        public String toString()
        {
            return name + " (" + id + ")";
        }
    }

    /** What {@link #moveToIdle} did: the threads moved and, if it could not move them all, why (else null). */
    public record Outcome(List<JitThread> moved, String failure)
    {
        public Outcome
        {
            moved = List.copyOf(moved);
        }

        @Override
        public String toString()
        {
            return failure == null ? "JIT threads under SCHED_IDLE: " + moved
                : "JIT threads left at their scheduling policy (" + failure + "); moved: " + moved;
        }
    }

    /**
     * Applies the launcher's choice in {@link #PROPERTY} and logs what came of it: null when the property does not
     * ask for it, else what {@link #moveToIdle} did. Not getting it costs latency, not correctness: a warning.
     */
    public static Outcome applyConfigured()
    {
        if (!"idle".equals(System.getProperty(PROPERTY)))
        {
            return null;
        }
        final Outcome outcome = new JitThreadScheduling().moveToIdle();
        if (outcome.failure() == null)
        {
            LOG.info("{}", outcome);
        }
        else
        {
            LOG.warn("{}; a compilation may then delay a woken thread by up to a scheduler tick", outcome);
        }
        return outcome;
    }

    /** Moves every JIT thread of the process to SCHED_IDLE; stops at the first that cannot be moved. */
    public Outcome moveToIdle()
    {
        final List<JitThread> moved = new ArrayList<>();
        if (!Files.isDirectory(taskDirectory))
        {
            return new Outcome(moved, taskDirectory + " does not exist: SCHED_IDLE is a Linux policy");
        }
        final List<JitThread> threads;
        try
        {
            threads = jitThreads();
        }
        catch (final IOException e)
        {
            return new Outcome(moved, "listing " + taskDirectory + " failed: " + e);
        }
        if (threads.isEmpty())
        {
            return new Outcome(moved, "no thread named " + JIT_THREAD_NAMES + " in " + taskDirectory);
        }
        for (final JitThread thread : threads)
        {
            final String failure = runChrt(thread.id());
            if (failure != null)
            {
                return new Outcome(moved, "thread " + thread.id() + " '" + thread.name() + "': " + failure);
            }
            moved.add(thread);
        }
        return new Outcome(moved, null);
    }

    private List<JitThread> jitThreads() throws IOException
    {
        final List<JitThread> threads = new ArrayList<>();
        try (Stream<Path> tasks = Files.list(taskDirectory))
        {
            for (final Path task : (Iterable<Path>)tasks::iterator)
            {
                final String name;
                try
                {
                    name = Files.readString(task.resolve("comm"), StandardCharsets.UTF_8).strip();
                }
                catch (final java.nio.file.NoSuchFileException e)
                {
                    // The thread ended between the listing and the read: it is no JIT thread of ours to move.
                    continue;
                }
                if (JIT_THREAD_NAMES.contains(name))
                {
                    threads.add(new JitThread(task.getFileName().toString(), name));
                }
            }
        }
        return threads;
    }

    /** Runs {@code chrt --idle --pid 0 TID}; null on success, else what went wrong. */
    private String runChrt(final String tid)
    {
        final Process process;
        try
        {
            process = new ProcessBuilder(chrt, "--idle", "--pid", "0", tid).redirectErrorStream(true).start();
        }
        catch (final IOException e)
        {
            return "cannot run " + chrt + " (util-linux): " + e.getMessage();
        }
        try
        {
            // chrt prints a line at most, well within a pipe's buffer: waiting first cannot block it, and reading
            // first would wait for ever on a chrt that hangs.
            if (!process.waitFor(CHRT_TIMEOUT_SECONDS, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                return chrt + " did not finish within " + CHRT_TIMEOUT_SECONDS + " s";
            }
            return process.exitValue() == 0 ? null : chrt + " exited with " + process.exitValue() + ": "
                + new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        }
        catch (final IOException e)
        {
            return "reading " + chrt + "'s output failed: " + e;
        }
        catch (final InterruptedException e)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            return "interrupted while waiting for " + chrt;
        }
    }
}

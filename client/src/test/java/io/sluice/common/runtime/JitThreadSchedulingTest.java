package io.sluice.common.runtime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class JitThreadSchedulingTest
{
    private static final int SCHED_OTHER = 0;
    private static final int SCHED_IDLE = 5;

    @Test
    void theLauncherOptionsPutEveryJitThreadOfTheJvmUnderSchedIdleAndNoOtherThread() throws Exception
    {
        assumeLinuxWithChrt();
        final Map<String, Integer> policies = childThreadPolicies(true);
        int compilers = 0;
        for (final Map.Entry<String, Integer> thread : policies.entrySet())
        {
            final String name = thread.getKey().substring(thread.getKey().indexOf(' ') + 1);
            final boolean compiler = name.equals("C1 CompilerThre") || name.equals("C2 CompilerThre");
            compilers += compiler ? 1 : 0;
            final boolean jit = compiler || name.equals("Sweeper thread");
            assertEquals(jit ? SCHED_IDLE : SCHED_OTHER, thread.getValue(), "policy of " + thread.getKey());
        }
        assertTrue(compilers >= 2, "a C1 and a C2 compiler thread: " + policies.keySet());
    }

    @Test
    void withoutTheLauncherPropertyNoThreadIsMoved() throws Exception
    {
        assumeLinuxWithChrt();
        final Map<String, Integer> policies = childThreadPolicies(false);
        for (final Map.Entry<String, Integer> thread : policies.entrySet())
        {
            assertEquals(SCHED_OTHER, thread.getValue(), "policy of " + thread.getKey());
        }
    }

    @Test
    void aMissingChrtIsReportedWithThePackageThatHasIt()
    {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "Linux only");
        final JitThreadScheduling.Outcome outcome =
            new JitThreadScheduling(Path.of("/proc/self/task"), "/nonexistent/chrt").moveToIdle();
        assertTrue(outcome.failure().contains("cannot run /nonexistent/chrt (util-linux)"), outcome.toString());
        assertEquals(List.of(), outcome.moved());
    }

    @Test
    void aThreadChrtCannotMoveIsReportedByIdAndName(@TempDir final Path tasks) throws IOException
    {
        assumeLinuxWithChrt();
        // Laid out like /proc/PID/task, naming a thread id no process has.
        final Path task = Files.createDirectories(tasks.resolve("2147483646"));
        Files.writeString(task.resolve("comm"), "C2 CompilerThre\n");
        final JitThreadScheduling.Outcome outcome = new JitThreadScheduling(tasks, "chrt").moveToIdle();
        assertTrue(outcome.failure().startsWith("thread 2147483646 'C2 CompilerThre': chrt exited with "),
            outcome.toString());
    }

    @Test
    void noJitThreadOrNoProcFileSystemIsReported(@TempDir final Path tasks) throws IOException
    {
        Files.writeString(Files.createDirectories(tasks.resolve("7")).resolve("comm"), "main\n");
        assertTrue(new JitThreadScheduling(tasks, "chrt").moveToIdle().failure().startsWith("no thread named"));
        final JitThreadScheduling.Outcome notLinux =
            new JitThreadScheduling(tasks.resolve("absent"), "chrt").moveToIdle();
        assertTrue(notLinux.failure().endsWith("does not exist: SCHED_IDLE is a Linux policy"), notLinux.toString());
    }

    @Test
    void applyConfiguredDoesNothingUnlessAskedFor()
    {
        assumeTrue(System.getProperty(JitThreadScheduling.PROPERTY) == null, "the test JVM was not asked to");
        assertNull(JitThreadScheduling.applyConfigured());
    }

    private static void assumeLinuxWithChrt()
    {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "Linux only");
        boolean found = false;
        for (final String dir : System.getenv().getOrDefault("PATH", "").split(":"))
        {
            found |= !dir.isEmpty() && Files.isExecutable(Path.of(dir, "chrt"));
        }
        assumeTrue(found, "chrt (util-linux) on the PATH");
    }

    /** Starts a child JVM as the launcher would (or without its options) and reads each thread's policy. */
    private static Map<String, Integer> childThreadPolicies(final boolean launcherOptions) throws Exception
    {
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m"));
        if (launcherOptions)
        {
            command.addAll(List.of("-XX:-UseDynamicNumberOfCompilerThreads",
                "-D" + JitThreadScheduling.PROPERTY + "=idle"));
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"),
            JitThreadSchedulingChild.class.getName()));
        final Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try
        {
            final BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8));
            final String outcome = out.readLine();
            assertEquals("ready", out.readLine(), "child's second line; its first: " + outcome);
            if (launcherOptions)
            {
                assertTrue(outcome.startsWith("outcome: JIT threads under SCHED_IDLE: "), outcome);
            }
            else
            {
                assertEquals("outcome: null", outcome);
            }
            final Map<String, Integer> policies = new LinkedHashMap<>();
            try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(child.pid()), "task")))
            {
                for (final Path task : (Iterable<Path>)tasks::iterator)
                {
                    final String name = Files.readString(task.resolve("comm")).strip();
                    final String stat = Files.readString(task.resolve("stat"));
                    // Field 41 of stat is the policy; fields from the 3rd on follow the parenthesised name.
                    final String[] fields = stat.substring(stat.lastIndexOf(") ") + 2).split(" ");
                    policies.put(task.getFileName() + " " + name, Integer.parseInt(fields[41 - 3]));
                }
            }
            child.getOutputStream().close();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child exits once its stdin closes");
            return policies;
        }
        finally
        {
            child.destroyForcibly();
        }
    }
}

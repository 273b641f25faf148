package io.sluice.perf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's quick start, run as a script exactly as a new user types it: start the broker with
 * {@code bin/sluice broker}, create a topic, produce 1,000 lines, consume them back, stop with SIGTERM.
 */
class QuickStartIT
{
    @TempDir
    Path work;

    @Test
    void theReadmeQuickStartWorksAsWritten() throws Exception
    {
        for (final int port : new int[] {9092, 9644})
        {
            try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1")))
            {
                probe.setReuseAddress(true);
            }
            catch (final IOException e)
            {
                throw new AssertionError("Port " + port + " on 127.0.0.1 is in use; the quick start needs it free", e);
            }
        }
        final Path sluice = SluiceScript.launcher();
        final String script = String.join("\n",
            "set -euo pipefail",
            "SLUICE='" + sluice + "'",
            "\"$SLUICE\" broker > broker.out 2> broker.err &",
            "BROKER=$!",
            "trap 'kill $BROKER 2>/dev/null || true' EXIT",
            "for i in $(seq 1 300); do grep -q 'listening on' broker.out && break; sleep 0.2; done",
            "grep -q 'listening on' broker.out || { echo 'broker did not start'; cat broker.err; exit 1; }",
            // Each thread's name, nice value and scheduling policy (fields 19 and 41 of stat, the 17th and 39th
            // after the parenthesised name).
            "for t in /proc/$BROKER/task/*; do echo \"$(cat $t/comm)|$(sed 's/.*) //' $t/stat | cut -d' ' -f17,39)\";"
                + " done > threads.txt",
            "'" + Path.of(System.getProperty("java.home"), "bin", "jcmd") + "' $BROKER VM.flags > flags.txt",
            "\"$SLUICE\" topic create quickstart --partitions 3",
            "seq 1 1000 | \"$SLUICE\" produce quickstart",
            "\"$SLUICE\" consume quickstart --from-beginning --max-messages 1000 --timeout-ms 20000 > consumed.txt",
            "sort -n consumed.txt | diff - <(seq 1 1000)",
            "kill -TERM $BROKER",
            "wait $BROKER",
            "trap - EXIT",
            "echo quickstart-ok");
        final String output = SluiceScript.run(work, script, 5);
        final String brokerLog = Files.readString(work.resolve("broker.err"));
        assertTrue(output.contains("quickstart-ok"), output);
        assertTrue(output.contains("Created topic quickstart."), output);
        assertTrue(Files.isDirectory(work.resolve("data/quickstart-0")), "data lands in ./data");
        assertTrue(brokerLog.contains("shut down cleanly"), brokerLog);
        assertThreadScheduling(Files.readAllLines(work.resolve("threads.txt")), brokerLog);
        assertFixedHeap(Files.readString(work.resolve("flags.txt")));
    }

    /**
     * The broker's heap is committed at its full 1 GiB from the start, as Kafka's launcher does: G1 otherwise sizes
     * a small heap for a quiet broker and collects its few MiB of young generation every few seconds.
     */
    private static void assertFixedHeap(final String flags)
    {
        assertTrue(flags.contains("-XX:InitialHeapSize=1073741824 "), flags);
        assertTrue(flags.contains("-XX:MaxHeapSize=1073741824 "), flags);
    }

    /**
     * The launcher has the broker put the JIT's threads (compilers, code cache sweeper) under SCHED_IDLE (policy 5)
     * and leaves every other thread under SCHED_OTHER (0), all at nice 0, for root and other users alike.
     */
    private static void assertThreadScheduling(final List<String> threads, final String brokerLog)
    {
        assertTrue(threads.size() > 10, threads.toString());
        int compilers = 0;
        for (final String thread : threads)
        {
            final String name = thread.substring(0, thread.lastIndexOf('|'));
            final String[] niceAndPolicy = thread.substring(thread.lastIndexOf('|') + 1).split(" ");
            final boolean compiler = name.contains("CompilerThre");
            compilers += compiler ? 1 : 0;
            final boolean jit = compiler || name.equals("Sweeper thread");
            assertEquals("0", niceAndPolicy[0], "nice of thread '" + name + "'");
            assertEquals(jit ? "5" : "0", niceAndPolicy[1], "scheduling policy of thread '" + name + "'");
        }
        assertTrue(compilers >= 2, "a C1 and a C2 compiler thread: " + threads);
        assertFalse(brokerLog.contains("JIT threads left"), brokerLog);
    }
}

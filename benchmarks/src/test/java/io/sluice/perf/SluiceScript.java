package io.sluice.perf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs a bash script that drives {@code bin/sluice} the way a user types it, in a working directory of its own. */
final class SluiceScript
{
    private SluiceScript()
    {
    }

    /** The launcher of the repository these tests run in. */
    static Path launcher()
    {
        return Paths.get(System.getProperty("user.dir")).toAbsolutePath().getParent().resolve("bin/sluice");
    }

    /**
     * Runs {@code script} in {@code work} and returns what it printed; fails with that output and the broker's
     * {@code broker.err} if it exits non-zero or runs past {@code timeoutMinutes}.
     */
    static String run(final Path work, final String script, final int timeoutMinutes)
        throws IOException, InterruptedException
    {
        final Path output = work.resolve("script.out");
        final Process process = new ProcessBuilder("bash", "-c", script).directory(work.toFile())
            .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        try
        {
            assertTrue(process.waitFor(timeoutMinutes, TimeUnit.MINUTES), "the script took over " + timeoutMinutes
                + " minutes");
        }
        finally
        {
            process.destroyForcibly();
        }
        final String printed = Files.readString(output);
        final Path brokerErr = work.resolve("broker.err");
        assertEquals(0, process.exitValue(), printed + "\n--- broker ---\n"
            + (Files.exists(brokerErr) ? Files.readString(brokerErr) : ""));
        return printed;
    }
}

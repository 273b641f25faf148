package io.sluice.broker.test;

import io.sluice.broker.BrokerMain;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real broker in a child JVM on 127.0.0.1 with ephemeral ports and its own data directory, for tests that must
 * exercise the process boundary: start, SIGTERM, {@code kill -9} (destroyForcibly), restart on the same data.
 */
public final class BrokerProcess implements AutoCloseable
{
    private static final Pattern STARTED = Pattern.compile("listening on ([^:]+):(\\d+) \\(metrics: http://[^:]+:(\\d+)/");

    private final Path dataDir;
    private final Path logFile;
    private final List<String> overrides;
    private Process process;
    private int port;
    private int httpPort;

    public BrokerProcess(final Path dataDir, final String... overrides)
    {
        this.dataDir = dataDir;
        this.logFile = dataDir.resolveSibling(dataDir.getFileName() + ".log");
        this.overrides = List.of(overrides);
    }

    /** Starts the broker and waits until it listens; on the first start the port is picked by the OS. */
    public BrokerProcess start() throws IOException
    {
        final String java = ProcessHandle.current().info().command()
            .orElse(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        // Its temporary files stay beside its data, in the test's temporary directory: lz4-java extracts its native
        // library there and deletes it only at a normal exit, which a killed broker never reaches.
        final Path tmp = Files.createDirectories(
            dataDir.toAbsolutePath().resolveSibling(dataDir.getFileName() + ".tmp"));
        final List<String> command = new ArrayList<>(List.of(java, "-Xmx512m", "-Djava.io.tmpdir=" + tmp, "-cp",
            System.getProperty("java.class.path"), BrokerMain.class.getName(),
            "--override", "listeners=127.0.0.1:" + port,
            "--override", "http.port=" + httpPort,
            "--override", "log.dirs=" + dataDir));
        for (final String override : overrides)
        {
            command.add("--override");
            command.add(override);
        }
        process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
            .start();
        final CompletableFuture<Matcher> started = new CompletableFuture<>();
        final Thread reader = new Thread(() ->
        {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = out.readLine()) != null)
                {
                    final Matcher m = STARTED.matcher(line);
                    if (m.find())
                    {
                        started.complete(m);
                    }
                }
                started.completeExceptionally(new IOException("broker exited before it started listening"));
            }
            catch (final IOException e)
            {
                started.completeExceptionally(e);
            }
        }, "broker-stdout");
        reader.setDaemon(true);
        reader.start();
        try
        {
            final Matcher m = started.get(60, TimeUnit.SECONDS);
            port = Integer.parseInt(m.group(2));
            httpPort = Integer.parseInt(m.group(3));
        }
        catch (final Exception e)
        {
            process.destroyForcibly();
            throw new IOException("Broker did not start: " + e.getMessage() + "\n--- broker log ---\n" + log(), e);
        }
        return this;
    }

    public String bootstrap()
    {
        return "127.0.0.1:" + port;
    }

    public int port()
    {
        return port;
    }

    public int httpPort()
    {
        return httpPort;
    }

    public Path dataDir()
    {
        return dataDir;
    }

    public long pid()
    {
        return process.pid();
    }

    public boolean isAlive()
    {
        return process != null && process.isAlive();
    }

    public String log()
    {
        try
        {
            return Files.exists(logFile) ? Files.readString(logFile) : "";
        }
        catch (final IOException e)
        {
            return "(cannot read " + logFile + ")";
        }
    }

    /** SIGTERM and wait: the broker shuts down cleanly. Returns the exit code. */
    public int stop() throws InterruptedException
    {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS))
        {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            throw new AssertionError("Broker did not stop within 60 s of SIGTERM\n" + log());
        }
        return process.exitValue();
    }

    /** Sends a signal such as STOP or CONT to the broker process (kill -SIG pid). */
    public void signal(final String name) throws IOException, InterruptedException
    {
        final Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0)
        {
            throw new IOException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    /** kill -9. */
    public void kill() throws InterruptedException
    {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException
    {
        if (process != null && process.isAlive())
        {
            kill();
        }
    }
}

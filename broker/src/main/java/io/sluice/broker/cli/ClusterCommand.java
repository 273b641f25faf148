package io.sluice.broker.cli;

import io.sluice.broker.BrokerMain;
import io.sluice.client.cli.CommandLine;
import io.sluice.client.cli.CommandRunner;
import io.sluice.common.runtime.JitThreadScheduling;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@code sluice cluster start|stop}: a local cluster of separate broker processes, each with its own ports, data
 * directory, properties file and log under one directory, all of them voters of the metadata quorum.
 */
public final class ClusterCommand
{
    static final String HELP = String.join("\n",
        "Usage: sluice cluster start [--brokers N] [--dir DIR] [--base-port P]",
        "       sluice cluster stop [--dir DIR]",
        "start runs N brokers (default 3) in the background, broker i listening on P+10i (default P 9092), its",
        "metadata quorum port P+10i+1 and metrics port P+10i+2, with data, broker.properties and broker.log in",
        "DIR/broker-i (default DIR ./cluster). stop sends them SIGTERM and waits for a clean shutdown.",
        "Common: --help");
    private static final long START_TIMEOUT_MS = 90_000;

    private ClusterCommand()
    {
    }

    public static void main(final String[] args)
    {
        System.exit(run(args, System.out));
    }

    public static int run(final String[] args, final PrintStream out)
    {
        return CommandRunner.run("cluster", HELP, () ->
        {
            final CommandLine cli = new CommandLine(args, 0, Set.of("brokers", "dir", "base-port"), Set.of());
            if (cli.has("help"))
            {
                out.println(HELP);
                return;
            }
            if (cli.positional().size() != 1)
            {
                throw new CommandLine.UsageException("name one action: start or stop");
            }
            final Path dir = Paths.get(cli.get("dir", "cluster")).toAbsolutePath();
            switch (cli.positional().get(0))
            {
                case "start" -> start(dir, (int)cli.getLong("brokers", 3), (int)cli.getLong("base-port", 9092), out);
                case "stop" -> stop(dir, out);
                default -> throw new CommandLine.UsageException("unknown action '" + cli.positional().get(0) + "'");
            }
        });
    }

    private static void start(final Path dir, final int brokers, final int basePort, final PrintStream out)
        throws IOException, InterruptedException
    {
        if (brokers < 1 || brokers > 9)
        {
            throw new CommandLine.UsageException("--brokers must be from 1 to 9");
        }
        if (basePort < 1024 || basePort + 10 * brokers > 65535)
        {
            throw new CommandLine.UsageException("--base-port must leave room for " + brokers + " brokers");
        }
        for (int i = 0; i < 10; i++)
        {
            if (running(dir.resolve("broker-" + i)).isPresent())
            {
                throw new IllegalStateException("A cluster is already running in " + dir + "; stop it first");
            }
        }
        final StringBuilder voters = new StringBuilder();
        final StringBuilder bootstrap = new StringBuilder();
        for (int i = 0; i < brokers; i++)
        {
            voters.append(i == 0 ? "" : ",").append(i).append("@127.0.0.1:").append(basePort + 10 * i + 1);
            bootstrap.append(i == 0 ? "" : ",").append("127.0.0.1:").append(basePort + 10 * i);
        }
        final String javaBin = ProcessHandle.current().info().command().orElse("java");
        final List<Path> logs = new ArrayList<>();
        final List<Process> processes = new ArrayList<>();
        for (int i = 0; i < brokers; i++)
        {
            final Path home = dir.resolve("broker-" + i);
            Files.createDirectories(home);
            final Path config = home.resolve("broker.properties");
            Files.writeString(config, String.join("\n",
                "node.id=" + i,
                "listeners=127.0.0.1:" + (basePort + 10 * i),
                "http.port=" + (basePort + 10 * i + 2),
                "log.dirs=" + home.resolve("data"),
                "controller.quorum.voters=" + voters,
                "default.replication.factor=" + Math.min(3, brokers),
                "min.insync.replicas=" + Math.min(2, brokers),
                "offsets.topic.replication.factor=" + Math.min(3, brokers), ""), StandardCharsets.UTF_8);
            final Path log = home.resolve("broker.log");
            Files.deleteIfExists(log);
            // As bin/sluice runs a broker: a fixed 1 GiB heap, without Netty's leak detector, whose sampled stack
            // traces stall network threads, with the JIT thread scheduling and the library path (where lz4-java
            // finds its native library instead of extracting a copy) bin/sluice gave this JVM.
            final List<String> command = new ArrayList<>(List.of(javaBin, "-Xms1g", "-Xmx1g",
                "-Djava.library.path=" + System.getProperty("java.library.path"),
                "-Dio.netty.leakDetection.level=disabled", "-Dorg.slf4j.simpleLogger.log.org.apache.ratis=warn",
                "-Dorg.slf4j.simpleLogger.showDateTime=true"));
            command.addAll(jitSchedulingOptions());
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), BrokerMain.class.getName(),
                "--config", config.toString()));
            final Process process = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE)
                .start();
            // The start time tells a later stop that the pid still names this broker, not a process that reused it.
            Files.writeString(home.resolve("pid"), process.pid() + " " + process.info().startInstant()
                .map(java.time.Instant::toEpochMilli).orElse(0L), StandardCharsets.UTF_8);
            logs.add(log);
            processes.add(process);
        }
        // Each broker listens once a quorum of voters answers, so they come up together.
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
        for (int i = 0; i < brokers; i++)
        {
            while (!Files.readString(logs.get(i), StandardCharsets.UTF_8).contains("listening on"))
            {
                if (!processes.get(i).isAlive())
                {
                    throw new IllegalStateException("Broker " + i + " exited; see " + logs.get(i));
                }
                if (System.nanoTime() > deadline)
                {
                    throw new IllegalStateException("Broker " + i + " did not start within " + START_TIMEOUT_MS
                        + " ms; see " + logs.get(i));
                }
                TimeUnit.MILLISECONDS.sleep(100);
            }
        }
        out.println("Started " + brokers + " broker(s) in " + dir);
        out.println("Bootstrap servers: " + bootstrap);
        out.println("Try: bin/sluice topic create orders --partitions 6 --replication-factor " + Math.min(3, brokers)
            + " --bootstrap-server " + bootstrap);
        out.println("Stop with: bin/sluice cluster stop --dir " + dir);
    }

    /** The JIT thread scheduling options this JVM was started with (bin/sluice sets them; see there why). */
    static List<String> jitSchedulingOptions()
    {
        final List<String> options = new ArrayList<>();
        for (final String argument : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (argument.equals("-XX:-UseDynamicNumberOfCompilerThreads")
                || argument.startsWith("-D" + JitThreadScheduling.PROPERTY + "="))
            {
                options.add(argument);
            }
        }
        return options;
    }

    private static void stop(final Path dir, final PrintStream out) throws InterruptedException
    {
        final List<ProcessHandle> stopping = new ArrayList<>();
        for (int i = 0; i < 10; i++)
        {
            running(dir.resolve("broker-" + i)).ifPresent(p ->
            {
                p.destroy();
                stopping.add(p);
            });
        }
        if (stopping.isEmpty())
        {
            throw new IllegalStateException("No broker of a cluster in " + dir + " is running");
        }
        for (final ProcessHandle p : stopping)
        {
            try
            {
                p.onExit().get(60, TimeUnit.SECONDS);
            }
            catch (final java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e)
            {
                p.destroyForcibly();
            }
        }
        out.println("Stopped " + stopping.size() + " broker(s) of " + dir);
    }

    /** The broker process whose pid {@code home} records, if it is still running. */
    private static Optional<ProcessHandle> running(final Path home)
    {
        try
        {
            final Path pidFile = home.resolve("pid");
            if (!Files.exists(pidFile))
            {
                return Optional.empty();
            }
            final String[] fields = Files.readString(pidFile, StandardCharsets.UTF_8).trim().split(" ");
            final long pid = Long.parseLong(fields[0]);
            final long started = fields.length > 1 ? Long.parseLong(fields[1]) : 0L;
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(p -> started == 0
                || p.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(started) == started);
        }
        catch (final IOException | NumberFormatException e)
        {
            return Optional.empty();
        }
    }
}

package io.sluice.storage.test;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Starts a class's {@code main} in a separate JVM with this JVM's class path, for crash tests. */
public final class ChildJvm
{
    private ChildJvm()
    {
    }

    /**
     * The child's temporary files go to a directory beside {@code stderr}, inside the test's own temporary directory:
     * lz4-java extracts its native library to the temporary directory and deletes it at exit, which a killed child
     * never reaches, so in /tmp every crash test would leave a copy behind.
     */
    public static Process start(final Class<?> mainClass, final Path stderr, final String... args) throws IOException
    {
        final Path tmp = Files.createDirectories(stderr.toAbsolutePath().resolveSibling("child-tmp"));
        final String java = ProcessHandle.current().info().command()
            .orElse(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        final List<String> command = new ArrayList<>();
        command.add(java);
        command.add("-Xmx256m");
        command.add("-Djava.io.tmpdir=" + tmp);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectError(stderr.toFile()).start();
    }
}

package io.sluice.storage.test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small tmpfs mounted for one test, to make a data directory that is really full or really read-only (as root,
 * file permissions alone do not stop writes). Mounting needs root, which CI and the developer machines have.
 */
public final class TinyFileSystem implements AutoCloseable
{
    private final Path mountPoint;

    private TinyFileSystem(final Path mountPoint)
    {
        this.mountPoint = mountPoint;
    }

    public static boolean canMount()
    {
        return "root".equals(System.getProperty("user.name"));
    }

    /** Mounts a tmpfs of {@code sizeBytes} at a new directory under {@code parent}. */
    public static TinyFileSystem mount(final Path parent, final long sizeBytes, final boolean readOnly)
        throws IOException, InterruptedException
    {
        final Path mountPoint = Files.createDirectories(parent.resolve("tinyfs"));
        run("mount", "-t", "tmpfs", "-o", (readOnly ? "ro," : "") + "size=" + sizeBytes, "tmpfs",
            mountPoint.toString());
        return new TinyFileSystem(mountPoint);
    }

    public Path path()
    {
        return mountPoint;
    }

    @Override
    public void close() throws IOException, InterruptedException
    {
        run("umount", "-l", mountPoint.toString());
    }

    private static void run(final String... command) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true)
            .start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0)
        {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
    }
}

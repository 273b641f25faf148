package io.sluice.perf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A JVM that {@code bin/sluice} started and that gets killed leaves no copy of lz4-java's native library behind:
 * the launcher points {@code java.library.path} at the copy the build unpacked, so lz4-java loads it from there
 * instead of extracting one into the temporary directory, which it deletes only at a normal exit.
 */
class NativeLibraryIT
{
    @TempDir
    Path work;

    @Test
    void aKilledLz4ProducerLeavesNothingInTheTemporaryDirectory() throws Exception
    {
        final String script = String.join("\n",
            "set -euo pipefail",
            "SLUICE='" + SluiceScript.launcher() + "'",
            "mkdir tmp",
            "\"$SLUICE\" broker --override log.dirs=data --override listeners=127.0.0.1:0 --override http.port=0"
                + " > broker.out 2> broker.err &",
            "BROKER=$!",
            "PRODUCER=",
            "trap 'kill $BROKER 2>/dev/null || true; [ -z \"$PRODUCER\" ] || kill -9 $PRODUCER 2>/dev/null || true'"
                + " EXIT",
            "for i in $(seq 1 300); do grep -q 'listening on' broker.out && break; sleep 0.2; done",
            "BOOT=$(grep -o 'listening on [0-9.]*:[0-9]*' broker.out | cut -d' ' -f3)",
            "\"$SLUICE\" topic create lz4 --partitions 1 --bootstrap-server $BOOT",
            // The producer keeps reading a FIFO that stays open, so it is still running when its record arrives.
            "mkfifo lines",
            "SLUICE_JVM_OPTS=\"-Djava.io.tmpdir=$PWD/tmp\" \"$SLUICE\" produce lz4 --bootstrap-server $BOOT"
                + " --producer-prop compression.type=lz4 < lines &",
            "PRODUCER=$!",
            "exec 3> lines",
            "echo compressed >&3",
            "\"$SLUICE\" consume lz4 --bootstrap-server $BOOT --from-beginning --max-messages 1 --timeout-ms 20000"
                + " > consumed.txt",
            "grep -o '[^ ]*liblz4-java[^ ]*' /proc/$PRODUCER/maps | sort -u > mapped.txt",
            "kill -9 $PRODUCER",
            "wait $PRODUCER 2>/dev/null || true",
            "PRODUCER=",
            "exec 3>&-",
            "echo native-ok");
        final String output = SluiceScript.run(work, script, 3);
        assertTrue(output.contains("native-ok"), output);
        assertEquals("compressed", Files.readString(work.resolve("consumed.txt")).strip());
        final String mapped = Files.readString(work.resolve("mapped.txt")).strip();
        assertTrue(mapped.contains("/benchmarks/target/native/net/jpountz/util/linux/"), "lz4-java loaded from '"
            + mapped + "'");
        try (Stream<Path> left = Files.list(work.resolve("tmp")))
        {
            assertEquals("[]", left.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("liblz4-java"))
                .toList().toString(), "files lz4-java left in the killed producer's temporary directory");
        }
    }
}

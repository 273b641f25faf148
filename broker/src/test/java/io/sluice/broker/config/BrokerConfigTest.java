package io.sluice.broker.config;

import io.sluice.broker.BrokerMain;
import io.sluice.common.errors.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BrokerConfigTest
{
    @TempDir
    Path tmp;

    @Test
    void shouldMapBrokerLogKeysToTopicDefaults()
    {
        final BrokerConfig config = new BrokerConfig(Map.of("log.segment.bytes", "1048576", "log.retention.ms",
            "1000", "message.max.bytes", "5000", "log.dirs", tmp.toString(), "listeners", "PLAINTEXT://127.0.0.1:0"));
        assertEquals(1048576, config.logDefaults().segmentBytes);
        assertEquals(1000L, config.logDefaults().retentionMs);
        assertEquals(5000, config.logDefaults().maxMessageBytes);
        assertEquals(List.of(tmp.toAbsolutePath().normalize()), config.logManagerConfig().logDirs);
        assertEquals("127.0.0.1", config.listenerHost());
        assertEquals(0, config.listenerPort());
    }

    @Test
    void theSampleConfigFileLoads()
    {
        final Path sample = java.nio.file.Paths.get(System.getProperty("user.dir")).getParent()
            .resolve("config/broker.properties");
        final BrokerConfig config = BrokerConfig.load(sample, List.of("listeners=127.0.0.1:0"));
        assertEquals(9644, config.httpPort());
        assertEquals(1, config.numPartitions());
        assertEquals(0, config.listenerPort(), "overrides win over the file");
    }

    @Test
    void shouldNameTheBadKey()
    {
        assertTrue(assertThrows(ConfigException.class, () -> new BrokerConfig(Map.of("num.partitons", "3")))
            .getMessage().contains("num.partitons"));
        assertTrue(assertThrows(ConfigException.class, () -> new BrokerConfig(Map.of("log.retention.ms", "soon")))
            .getMessage().contains("log.retention.ms"));
        assertTrue(assertThrows(ConfigException.class, () -> new BrokerConfig(Map.of("listeners", "nowhere")))
            .getMessage().contains("listeners"));
        assertTrue(assertThrows(ConfigException.class, () -> new BrokerConfig(Map.of("num.partitions", "0")))
            .getMessage().contains("num.partitions"));
    }

    @Test
    void theBrokerRefusesToStartWithAnUnknownKey() throws Exception
    {
        final Path props = tmp.resolve("broker.properties");
        Files.writeString(props, "log.dirs=" + tmp.resolve("data") + "\nlisteners=127.0.0.1:0\nhttp.port=0\n"
            + "auto.create.topic.enable=false\n");
        final String java = ProcessHandle.current().info().command()
            .orElse(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        final Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
            BrokerMain.class.getName(), "--config", props.toString()).redirectErrorStream(true).start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(1, process.exitValue(), output);
        assertTrue(output.contains("auto.create.topic.enable"), output);

        final Process usage = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
            BrokerMain.class.getName(), "--frobnicate").redirectErrorStream(true).start();
        assertTrue(usage.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, usage.exitValue());
    }
}

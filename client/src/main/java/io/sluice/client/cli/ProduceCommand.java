package io.sluice.client.cli;

import io.sluice.client.producer.Producer;
import io.sluice.client.producer.ProducerRecord;
import io.sluice.client.serialization.StringSerializer;
import io.sluice.common.errors.SluiceException;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** {@code sluice produce TOPIC}: sends each line of stdin as a record, waiting for every acknowledgement. */
public final class ProduceCommand
{
    static final String HELP = String.join("\n",
        "Usage: sluice produce TOPIC [--key-separator S] [--acks all|1|0] [--producer-prop key=value]...",
        "Sends each line of standard input as one record; with --key-separator, the text before the first",
        "separator is the key. Exits 0 once every line is acknowledged, 1 if any record failed.",
        "Common: --bootstrap-server HOST:PORT (default 127.0.0.1:9092), --help");

    private ProduceCommand()
    {
    }

    public static void main(final String[] args)
    {
        System.exit(run(args, System.in));
    }

    public static int run(final String[] args, final InputStream in)
    {
        return CommandRunner.run("produce", HELP, () ->
        {
            final CommandLine cli = new CommandLine(args, 0,
                Set.of("bootstrap-server", "key-separator", "acks", "producer-prop"), Set.of());
            if (cli.has("help"))
            {
                System.out.println(HELP);
                return;
            }
            if (cli.positional().size() != 1)
            {
                throw new CommandLine.UsageException("name exactly one topic");
            }
            final String topic = cli.positional().get(0);
            final String separator = cli.get("key-separator", null);
            final Map<String, Object> props = cli.properties("producer-prop");
            props.put("bootstrap.servers", cli.get("bootstrap-server", "127.0.0.1:9092"));
            props.putIfAbsent("acks", cli.get("acks", "all"));
            props.putIfAbsent("linger.ms", "5");
            // Counted by each record's callback: every failure is reported however many lines came before it.
            final AtomicLong failed = new AtomicLong();
            final AtomicReference<Exception> firstError = new AtomicReference<>();
            try (Producer<String, String> producer = new Producer<>(props, new StringSerializer(),
                new StringSerializer());
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = reader.readLine()) != null)
                {
                    String key = null;
                    String value = line;
                    if (separator != null)
                    {
                        final int at = line.indexOf(separator);
                        if (at >= 0)
                        {
                            key = line.substring(0, at);
                            value = line.substring(at + separator.length());
                        }
                    }
                    producer.send(new ProducerRecord<>(topic, key, value), (metadata, error) ->
                    {
                        if (error != null)
                        {
                            failed.incrementAndGet();
                            firstError.compareAndSet(null, error);
                        }
                    });
                }
                // Returns once every record's callback ran.
                producer.flush();
            }
            if (failed.get() > 0)
            {
                throw new SluiceException(failed.get() + " record(s) were not written: "
                    + firstError.get().getMessage());
            }
        });
    }
}

package io.sluice.broker.test;

import io.sluice.client.consumer.Consumer;
import io.sluice.client.consumer.ConsumerRebalanceListener;
import io.sluice.client.consumer.ConsumerRecord;
import io.sluice.client.consumer.ConsumerRecords;
import io.sluice.client.serialization.StringDeserializer;
import io.sluice.common.TopicPartition;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * A group member in its own process, for crash tests. It prints, a line each and flushed: {@code A p} when it is
 * assigned partition p, {@code V p} when it gives it up, {@code L p} (then {@code V p}) when it lost it,
 * {@code R p offset} for each record it processed, {@code P p offset} for the position it is about to commit, and
 * {@code C p offset} after a commit succeeded. It commits synchronously after every poll. Redirect its output to a
 * file, not a pipe: when the process is killed, the JDK can close the pipe before the reader has the last lines
 * (reading Process.getInputStream then throws "Stream closed").
 */
public final class GroupMemberMain
{
    private GroupMemberMain()
    {
    }

    public static void main(final String[] args)
    {
        final PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        final Consumer<String, String> consumer = new Consumer<>(Map.of("bootstrap.servers", args[0], "group.id",
            args[1], "auto.offset.reset", "earliest", "enable.auto.commit", "false"), new StringDeserializer(),
            new StringDeserializer());
        consumer.subscribe(List.of(args[2]), new ConsumerRebalanceListener()
        {
            @Override
            public void onPartitionsRevoked(final Collection<TopicPartition> partitions)
            {
                partitions.forEach(tp -> out.println("V " + tp.partition()));
            }

            @Override
            public void onPartitionsLost(final Collection<TopicPartition> partitions)
            {
                partitions.forEach(tp -> out.println("L " + tp.partition()));
                onPartitionsRevoked(partitions);
            }

            @Override
            public void onPartitionsAssigned(final Collection<TopicPartition> partitions)
            {
                partitions.forEach(tp -> out.println("A " + tp.partition()));
            }
        });
        while (true)
        {
            final ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(100));
            for (final ConsumerRecord<String, String> record : records)
            {
                out.println("R " + record.partition() + " " + record.offset());
            }
            if (!records.isEmpty())
            {
                for (final TopicPartition tp : consumer.assignment())
                {
                    out.println("P " + tp.partition() + " " + consumer.position(tp));
                }
                consumer.commitSync();
                for (final TopicPartition tp : consumer.assignment())
                {
                    out.println("C " + tp.partition() + " " + consumer.position(tp));
                }
            }
        }
    }
}

package io.sluice.broker.e2e;

import io.sluice.broker.test.BrokerProcess;
import io.sluice.broker.test.GroupMember;
import io.sluice.broker.test.RawClient;
import io.sluice.common.protocol.ApiKeys;
import io.sluice.common.protocol.Errors;
import io.sluice.common.protocol.message.ConsumerGroupHeartbeatRequest;
import io.sluice.common.protocol.message.ConsumerGroupHeartbeatResponse;
import io.sluice.common.protocol.message.DescribeGroupsResponse;
import io.sluice.common.protocol.message.FindCoordinatorRequest;
import io.sluice.common.protocol.message.FindCoordinatorResponse;
import io.sluice.common.protocol.message.GroupIdsRequest;
import io.sluice.common.protocol.message.GroupResultsResponse;
import io.sluice.common.protocol.message.OffsetCommitRequest;
import io.sluice.common.protocol.message.OffsetFetchRequest;
import io.sluice.common.protocol.message.OffsetFetchResponse;
import io.sluice.common.protocol.message.PartitionErrorsResponse;
import io.sluice.common.protocol.message.TopicPartitionsData;
import io.sluice.client.admin.Admin;
import io.sluice.client.admin.GroupDescription;
import io.sluice.client.admin.NewTopic;
import io.sluice.client.consumer.Consumer;
import io.sluice.client.consumer.ConsumerRecord;
import io.sluice.client.consumer.OffsetAndMetadata;
import io.sluice.client.producer.Producer;
import io.sluice.client.producer.ProducerRecord;
import io.sluice.client.serialization.StringDeserializer;
import io.sluice.client.serialization.StringSerializer;
import io.sluice.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pub/sub and work distribution through consumer groups, against a real broker process. */
class ConsumerGroupTest
{
    @TempDir
    static Path tmp;

    static BrokerProcess broker;

    @BeforeAll
    static void start() throws Exception
    {
        broker = new BrokerProcess(tmp.resolve("data"), "group.consumer.session.timeout.ms=4000").start();
    }

    @AfterAll
    static void stop() throws Exception
    {
        if (broker != null)
        {
            broker.close();
        }
    }

    static void createTopic(final String name, final int partitions)
    {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrap())))
        {
            admin.createTopic(new NewTopic(name, partitions, (short)1));
        }
    }

    /** Sends {@code count} records numbered from {@code first}, spread over the partitions by key. */
    static void produce(final String topic, final int first, final int count)
    {
        try (Producer<String, String> producer = new Producer<>(Map.of("bootstrap.servers", broker.bootstrap()),
            new StringSerializer(), new StringSerializer()))
        {
            for (int i = first; i < first + count; i++)
            {
                producer.send(new ProducerRecord<>(topic, "k" + i, Integer.toString(i)));
            }
            producer.flush();
        }
    }

    static Set<String> values(final List<ConsumerRecord<String, String>> records)
    {
        final Set<String> values = new HashSet<>();
        records.forEach(r -> values.add(r.value()));
        return values;
    }

    @Test
    void everyGroupReceivesEveryRecord() throws Exception
    {
        createTopic("pubsub", 3);
        produce("pubsub", 0, 3000);
        try (GroupMember a = new GroupMember("a", broker.bootstrap(), "pub-1", List.of("pubsub"), null, Map.of());
             GroupMember b = new GroupMember("b", broker.bootstrap(), "pub-2", List.of("pubsub"), null, Map.of()))
        {
            GroupMember.await(() -> a.received.size() >= 3000 && b.received.size() >= 3000, 30_000,
                "both groups to read 3,000 records");
            assertEquals(3000, values(a.received).size());
            assertEquals(3000, values(b.received).size());
            assertEquals(3000, a.received.size(), "no duplicates without failures");
            assertTrue(a.errors.isEmpty() && b.errors.isEmpty(), a.errors + " " + b.errors);
        }
    }

    @Test
    void threeMembersSplitSixPartitionsAndReadEachRecordOnce() throws Exception
    {
        createTopic("work", 6);
        final GroupMember.Ownership ownership = new GroupMember.Ownership();
        final List<GroupMember> members = new ArrayList<>();
        try
        {
            for (int i = 0; i < 3; i++)
            {
                members.add(new GroupMember("w" + i, broker.bootstrap(), "workers", List.of("work"), ownership,
                    Map.of()));
            }
            GroupMember.await(() -> members.stream().allMatch(m -> m.owned.size() == 2), 20_000,
                "each of three members to own two partitions");
            produce("work", 0, 6000);
            GroupMember.await(() -> members.stream().mapToInt(m -> m.received.size()).sum() >= 6000, 30_000,
                "6,000 records");
            final List<ConsumerRecord<String, String>> all = new ArrayList<>();
            members.forEach(m -> all.addAll(m.received));
            assertEquals(6000, all.size(), "each record once");
            assertEquals(6000, values(all).size());
            for (final GroupMember m : members)
            {
                assertTrue(m.errors.isEmpty(), m.errors.toString());
            }
            assertTrue(ownership.violations.isEmpty(), ownership.violations.toString());
        }
        finally
        {
            for (final GroupMember m : members)
            {
                m.close();
            }
        }
    }

    @Test
    void extraMembersStayIdleAndTakeOverWhenAnOwnerLeaves() throws Exception
    {
        createTopic("few", 2);
        final GroupMember.Ownership ownership = new GroupMember.Ownership();
        final List<GroupMember> members = new ArrayList<>();
        try
        {
            for (int i = 0; i < 3; i++)
            {
                members.add(new GroupMember("f" + i, broker.bootstrap(), "few-group", List.of("few"), ownership,
                    Map.of()));
            }
            GroupMember.await(() -> members.stream().filter(m -> m.owned.size() == 1).count() == 2, 20_000,
                "two members owning one partition each");
            final GroupMember idle = members.stream().filter(m -> m.owned.isEmpty()).findFirst().orElseThrow();
            final GroupMember owner = members.stream().filter(m -> m != idle).findFirst().orElseThrow();
            final Set<TopicPartition> handedOver = Set.copyOf(owner.owned);
            owner.close();
            members.remove(owner);
            GroupMember.await(() -> idle.owned.equals(handedOver), 10_000, "the idle member to take over "
                + handedOver);
            produce("few", 0, 200);
            GroupMember.await(() -> members.stream().mapToInt(m -> m.received.size()).sum() >= 200, 20_000,
                "200 records");
            assertTrue(ownership.violations.isEmpty(), ownership.violations.toString());
        }
        finally
        {
            for (final GroupMember m : members)
            {
                m.close();
            }
        }
    }

    @Test
    void membersJoiningAndLeavingDuringProductionLoseNothingAndNeverShareAPartition() throws Exception
    {
        createTopic("churn", 6);
        final GroupMember.Ownership ownership = new GroupMember.Ownership();
        final AtomicBoolean producing = new AtomicBoolean(true);
        final AtomicInteger sent = new AtomicInteger();
        final Thread producer = new Thread(() ->
        {
            try (Producer<String, String> p = new Producer<>(Map.of("bootstrap.servers", broker.bootstrap(),
                "linger.ms", "1"), new StringSerializer(), new StringSerializer()))
            {
                while (producing.get())
                {
                    final int i = sent.getAndIncrement();
                    p.send(new ProducerRecord<>("churn", "k" + i, Integer.toString(i))).join();
                }
            }
        }, "churn-producer");
        producer.start();
        final List<GroupMember> members = new ArrayList<>();
        final List<GroupMember> gone = new ArrayList<>();
        final Map<String, Object> commitOften = Map.of("auto.commit.interval.ms", "100");
        try
        {
            for (int i = 0; i < 4; i++)
            {
                members.add(new GroupMember("c" + i, broker.bootstrap(), "churners", List.of("churn"), ownership,
                    commitOften));
                final int expected = members.size();
                GroupMember.await(() -> members.stream().mapToInt(m -> m.owned.size()).sum() == 6
                    && members.stream().allMatch(m -> m.owned.size() >= 6 / expected), 20_000,
                    expected + " members to share the six partitions");
            }
            for (int i = 0; i < 3; i++)
            {
                final GroupMember leaving = members.remove(0);
                leaving.close();
                gone.add(leaving);
                GroupMember.await(() -> members.stream().mapToInt(m -> m.owned.size()).sum() == 6, 20_000,
                    "the remaining members to own all six partitions");
            }
            producing.set(false);
            producer.join();
            final int total = sent.get() - 1;
            final GroupMember last = members.get(0);
            GroupMember.await(() ->
            {
                final Set<String> seen = new HashSet<>();
                members.forEach(m -> seen.addAll(values(m.received)));
                gone.forEach(m -> seen.addAll(values(m.received)));
                return seen.size() >= total;
            }, 30_000, "every produced record to be consumed by some member");
            for (final GroupMember m : members)
            {
                assertTrue(m.errors.isEmpty(), m.errors.toString());
            }
            for (final GroupMember m : gone)
            {
                assertTrue(m.errors.isEmpty(), m.errors.toString());
            }
            assertTrue(ownership.violations.isEmpty(), ownership.violations.toString());
            assertEquals(6, last.owned.size());
        }
        finally
        {
            producing.set(false);
            producer.join();
            for (final GroupMember m : members)
            {
                m.close();
            }
        }
    }

    @Test
    void regexSubscriptionPicksUpNewTopics() throws Exception
    {
        createTopic("metrics-a", 2);
        try (GroupMember m = new GroupMember("r", broker.bootstrap(), "regex-group", List.of(), null, Map.of()))
        {
            // GroupMember subscribes by name; this test drives a consumer of its own with a pattern.
        }
        final List<ConsumerRecord<String, String>> got = new ArrayList<>();
        try (Consumer<String, String> consumer = new Consumer<>(Map.of("bootstrap.servers", broker.bootstrap(),
            "group.id", "regex-group-2", "auto.offset.reset", "earliest"), new StringDeserializer(),
            new StringDeserializer()))
        {
            consumer.subscribe(Pattern.compile("metrics-.*"));
            produce("metrics-a", 0, 10);
            final long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (values(got).size() < 10 && System.nanoTime() < deadline)
            {
                consumer.poll(Duration.ofMillis(50)).forEach(got::add);
            }
            createTopic("metrics-b", 1);
            produce("metrics-b", 100, 5);
            while (values(got).size() < 15 && System.nanoTime() < deadline)
            {
                consumer.poll(Duration.ofMillis(50)).forEach(got::add);
            }
            assertEquals(15, values(got).size(), "records of the topic created after subscribing arrive too");
            assertTrue(consumer.assignment().contains(new TopicPartition("metrics-b", 0)));
        }
    }

    @Test
    void committedOffsetsAreWhereTheNextMemberStarts() throws Exception
    {
        createTopic("resume", 1);
        produce("resume", 0, 100);
        final TopicPartition tp = new TopicPartition("resume", 0);
        final Map<String, Object> props = Map.of("bootstrap.servers", broker.bootstrap(), "group.id", "resumers",
            "auto.offset.reset", "earliest", "enable.auto.commit", "false");
        try (Consumer<String, String> consumer = new Consumer<>(props, new StringDeserializer(),
            new StringDeserializer()))
        {
            consumer.subscribe(List.of("resume"));
            final long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (consumer.assignment().isEmpty() && System.nanoTime() < deadline)
            {
                consumer.poll(Duration.ofMillis(50));
            }
            consumer.commitSync(Map.of(tp, new OffsetAndMetadata(42, "note")));
            assertEquals(42, consumer.committed(Set.of(tp)).get(tp).offset());
            assertEquals("note", consumer.committed(Set.of(tp)).get(tp).metadata());
        }
        try (Consumer<String, String> consumer = new Consumer<>(props, new StringDeserializer(),
            new StringDeserializer()))
        {
            consumer.subscribe(List.of("resume"));
            final List<ConsumerRecord<String, String>> got = new ArrayList<>();
            final long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (got.isEmpty() && System.nanoTime() < deadline)
            {
                consumer.poll(Duration.ofMillis(50)).forEach(got::add);
            }
            assertEquals(42, got.get(0).offset());
        }
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrap())))
        {
            final GroupDescription description = admin.describeGroup("resumers");
            assertEquals("empty", description.state());
            assertEquals(42, description.partitions().get(0).committedOffset());
            assertEquals(100, description.partitions().get(0).endOffset());
            assertEquals(58, description.partitions().get(0).lag());
            final Map<String, Long> listed = new HashMap<>();
            admin.listGroups().forEach(g -> listed.put(g.groupId(), (long)g.members()));
            assertTrue(listed.containsKey("resumers"), listed.toString());
        }
    }
    @Test
    void aKilledMembersPartitionsMoveWithinTheSessionTimeoutAndOnlyUncommittedRecordsRepeat() throws Exception
    {
        createTopic("crash", 4);
        final AtomicBoolean producing = new AtomicBoolean(true);
        final AtomicInteger sent = new AtomicInteger();
        final Thread producer = new Thread(() ->
        {
            try (Producer<String, String> p = new Producer<>(Map.of("bootstrap.servers", broker.bootstrap(),
                "linger.ms", "2"), new StringSerializer(), new StringSerializer()))
            {
                while (producing.get())
                {
                    final int i = sent.getAndIncrement();
                    p.send(new ProducerRecord<>("crash", "k" + i, Integer.toString(i))).join();
                }
            }
        }, "crash-producer");
        final String javaBin = ProcessHandle.current().info().command().orElse("java");
        // Its output goes to a file, which keeps every line written before the kill (a pipe can lose the last).
        final Path victimOutput = tmp.resolve("victim.out");
        // Its temporary files (lz4-java's native library, deleted only at a normal exit) stay in the test's directory.
        final Path victimTmp = Files.createDirectories(tmp.resolve("victim-tmp"));
        final Process victim = new ProcessBuilder(javaBin, "-Xmx128m", "-Djava.io.tmpdir=" + victimTmp, "-cp",
            System.getProperty("java.class.path"),
            io.sluice.broker.test.GroupMemberMain.class.getName(), broker.bootstrap(), "crashers", "crash")
            .redirectOutput(victimOutput.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        final java.util.function.Supplier<List<String>> victimLines = () -> completeLines(victimOutput);
        GroupMember survivor = null;
        try
        {
            producer.start();
            GroupMember.await(() -> victimLines.get().stream().filter(l -> l.startsWith("A ")).count() == 4, 20_000,
                "the first member to own all four partitions");
            survivor = new GroupMember("survivor", broker.bootstrap(), "crashers", List.of("crash"), null,
                Map.of("enable.auto.commit", "false"));
            final GroupMember second = survivor;
            GroupMember.await(() -> second.owned.size() == 2, 20_000, "the second member to own two partitions");
            GroupMember.await(() -> victimLines.get().stream().filter(l -> l.startsWith("C ")).count() > 20,
                20_000,
                "the first member to commit a few times");
            victim.destroyForcibly().waitFor();
            final long killed = System.nanoTime();
            final List<String> lines = victimLines.get();
            GroupMember.await(() -> second.owned.size() == 4, 10_000, "the survivor to own all four partitions");
            final long movedMs = (System.nanoTime() - killed) / 1_000_000;
            assertTrue(movedMs < 4000 + 2000, "partitions moved " + movedMs + " ms after the kill; session timeout "
                + "is 4000 ms");
            producing.set(false);
            producer.join();
            final int total = sent.get() - 1;

            // What the killed member processed and last committed, per partition.
            final Map<Integer, Set<Long>> processed = new HashMap<>();
            final Map<Integer, Long> lastCommit = new HashMap<>();
            final Set<Integer> victimOwned = new HashSet<>();
            for (final String line : lines)
            {
                final String[] f = line.split(" ");
                if (f.length < 2 || f.length == 2 && !"A".equals(f[0]) && !"V".equals(f[0]))
                {
                    continue;
                }
                final int partition = Integer.parseInt(f[1]);
                switch (f[0])
                {
                    case "A" -> victimOwned.add(partition);
                    case "V" -> victimOwned.remove(partition);
                    case "R" -> processed.computeIfAbsent(partition, k -> new HashSet<>()).add(Long.parseLong(f[2]));
                    case "C" -> lastCommit.put(partition, Long.parseLong(f[2]));
                    default -> { }
                }
            }
            assertEquals(2, victimOwned.size(), "the killed member owned two partitions when it died: " + victimOwned);
            GroupMember.await(() ->
            {
                long fromVictim = 0;
                for (final Set<Long> offsets : processed.values())
                {
                    fromVictim += offsets.size();
                }
                final Set<String> seen = values(second.received);
                return seen.size() + fromVictim >= total && seen.size() > 0;
            }, 30_000, "the survivor to read what is left");
            // Every record processed at least once.
            final Map<Integer, Set<Long>> survivorOffsets = new HashMap<>();
            second.received.forEach(r -> survivorOffsets.computeIfAbsent(r.partition(), k -> new HashSet<>())
                .add(r.offset()));
            try (Consumer<String, String> check = new Consumer<>(Map.of("bootstrap.servers", broker.bootstrap()),
                new StringDeserializer(), new StringDeserializer()))
            {
                final List<TopicPartition> tps = new ArrayList<>();
                for (int p = 0; p < 4; p++)
                {
                    tps.add(new TopicPartition("crash", p));
                }
                final Map<TopicPartition, Long> ends = check.endOffsets(tps);
                for (int p = 0; p < 4; p++)
                {
                    final int partition = p;
                    final long end = ends.get(new TopicPartition("crash", p));
                    try
                    {
                        GroupMember.await(() -> survivorOffsets(second, partition).size()
                            + processed.getOrDefault(partition, Set.of()).size() >= end
                            && covered(survivorOffsets(second, partition), processed.getOrDefault(partition,
                                Set.of()), end), 30_000, "every record of partition " + p + " to be processed");
                    }
                    catch (final AssertionError e)
                    {
                        throw new AssertionError(e.getMessage() + "; end offset " + end + ", missing "
                            + missing(survivorOffsets(second, partition), processed.getOrDefault(partition, Set.of()),
                                end) + ", killed member owned " + victimOwned + " and last committed " + lastCommit
                            + ", survivor owns " + second.owned + ", errors " + second.errors
                            + ", killed member processed up to " + processed.getOrDefault(partition, Set.of()).stream()
                                .mapToLong(Long::longValue).max().orElse(-1) + ", survivor received first "
                            + second.received.stream().filter(r -> r.partition() == partition).limit(5)
                                .map(r -> Long.toString(r.offset())).toList() + ", group committed "
                            + committedNow(partition) + ", offsets the log lacks " + logGaps(partition, end)
                            + "\n--- the killed member's last lines about the partition ---\n"
                            + String.join("\n", lastLinesAbout(lines, partition, 40))
                            + "\n--- the broker's last warnings ---\n" + lastWarnings(broker.log(), 40), e);
                    }
                }
            }
            // The records processed twice are exactly those the killed member processed after its last commit.
            for (final int p : victimOwned)
            {
                final Set<Long> mine = processed.getOrDefault(p, Set.of());
                final Set<Long> theirs = survivorOffsets(second, p);
                final long resumedAt = theirs.stream().mapToLong(Long::longValue).min().orElseThrow();
                final long committed = lastCommit.getOrDefault(p, 0L);
                final long processedUpTo = mine.stream().mapToLong(Long::longValue).max().orElse(-1L) + 1;
                assertTrue(resumedAt >= committed && resumedAt <= processedUpTo, "partition " + p + ": survivor "
                    + "resumed at " + resumedAt + ", last reported commit " + committed + ", processed up to "
                    + processedUpTo);
                final Set<Long> twice = new HashSet<>(mine);
                twice.retainAll(theirs);
                final Set<Long> afterCommit = new HashSet<>();
                mine.forEach(o ->
                {
                    if (o >= resumedAt)
                    {
                        afterCommit.add(o);
                    }
                });
                assertEquals(afterCommit, twice, "partition " + p + ": duplicates are exactly the records after "
                    + "the last commit");
            }
            assertTrue(second.errors.isEmpty(), second.errors.toString());
        }
        finally
        {
            producing.set(false);
            victim.destroyForcibly();
            producer.join();
            if (survivor != null)
            {
                survivor.close();
            }
        }
    }

    @Test
    void theCommandLineConsumesAsAGroupAndManagesGroups() throws Exception
    {
        createTopic("cli-orders", 2);
        produce("cli-orders", 0, 10);
        final String bootstrap = broker.bootstrap();
        final java.io.ByteArrayOutputStream first = new java.io.ByteArrayOutputStream();
        assertEquals(0, io.sluice.client.cli.ConsumeCommand.run(new String[] {"cli-orders", "--group", "cli",
            "--from-beginning", "--max-messages", "4", "--bootstrap-server", bootstrap},
            new java.io.PrintStream(first, true)));
        assertEquals(4, first.toString().lines().count());
        final java.io.ByteArrayOutputStream rest = new java.io.ByteArrayOutputStream();
        // --from-beginning only applies to partitions the group never committed for, as in Kafka.
        assertEquals(0, io.sluice.client.cli.ConsumeCommand.run(new String[] {"cli-orders", "--group", "cli",
            "--from-beginning", "--timeout-ms", "1500", "--bootstrap-server", bootstrap},
            new java.io.PrintStream(rest, true)));
        final Set<String> all = new HashSet<>(first.toString().lines().toList());
        all.addAll(rest.toString().lines().toList());
        assertEquals(10, all.size(), "the second run resumed after what the first printed: " + first + " / " + rest);
        assertEquals(10, first.toString().lines().count() + rest.toString().lines().count());

        assertTrue(group(bootstrap, "list").contains("cli\tempty"));
        final String described = group(bootstrap, "describe", "cli");
        assertTrue(described.contains("LAG") && described.lines().filter(l -> l.startsWith("cli-orders")).count() == 2,
            described);
        group(bootstrap, "reset-offsets", "cli", "--to-earliest");
        final java.io.ByteArrayOutputStream again = new java.io.ByteArrayOutputStream();
        assertEquals(0, io.sluice.client.cli.ConsumeCommand.run(new String[] {"cli-orders", "--group", "cli",
            "--max-messages", "10", "--bootstrap-server", bootstrap}, new java.io.PrintStream(again, true)));
        assertEquals(10, again.toString().lines().count(), "after --to-earliest the group reads everything again");
        assertEquals(2, io.sluice.client.cli.GroupCommand.run(new String[] {"reset-offsets", "cli",
            "--bootstrap-server", bootstrap}, new java.io.PrintStream(new java.io.ByteArrayOutputStream())));
        assertTrue(group(bootstrap, "delete", "cli").contains("Deleted group cli."));
        assertEquals(1, io.sluice.client.cli.GroupCommand.run(new String[] {"describe", "cli", "--bootstrap-server",
            bootstrap}, new java.io.PrintStream(new java.io.ByteArrayOutputStream())));
    }

    @Test
    void theCommandLineConsumerWhoseOutputIsGoneStopsWithoutCommittingWhatNobodySaw() throws Exception
    {
        createTopic("cli-pipe", 1);
        produce("cli-pipe", 0, 10);
        final String bootstrap = broker.bootstrap();
        // Standard output closed under it, as when piped into `head` that has exited.
        final java.io.OutputStream gone = new java.io.OutputStream()
        {
            @Override
            public void write(final int b) throws java.io.IOException
            {
                throw new java.io.IOException("Broken pipe");
            }
        };
        assertEquals(1, io.sluice.client.cli.ConsumeCommand.run(new String[] {"cli-pipe", "--group", "piped",
            "--from-beginning", "--max-messages", "10", "--bootstrap-server", bootstrap},
            new java.io.PrintStream(gone, true)));
        final java.io.ByteArrayOutputStream seen = new java.io.ByteArrayOutputStream();
        assertEquals(0, io.sluice.client.cli.ConsumeCommand.run(new String[] {"cli-pipe", "--group", "piped",
            "--from-beginning", "--max-messages", "10", "--timeout-ms", "5000", "--bootstrap-server", bootstrap},
            new java.io.PrintStream(seen, true)));
        assertEquals(10, seen.toString().lines().count(), "nothing unseen was committed: " + seen);
    }

    private static String group(final String bootstrap, final String... args)
    {
        final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        final String[] full = java.util.Arrays.copyOf(args, args.length + 2);
        full[args.length] = "--bootstrap-server";
        full[args.length + 1] = bootstrap;
        assertEquals(0, io.sluice.client.cli.GroupCommand.run(full, new java.io.PrintStream(out, true)),
            String.join(" ", args));
        return out.toString();
    }

    @Test
    void aSlowProcessorStaysInTheGroupUntilMaxPollIntervalThenLeaves() throws Exception
    {
        createTopic("slow", 1);
        final TopicPartition tp = new TopicPartition("slow", 0);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrap()));
             Consumer<String, String> slow = new Consumer<>(Map.of("bootstrap.servers", broker.bootstrap(),
                 "group.id", "slowpokes", "max.poll.interval.ms", "7000"), new StringDeserializer(),
                 new StringDeserializer()))
        {
            slow.subscribe(List.of("slow"));
            final long joinBy = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!slow.assignment().contains(tp) && System.nanoTime() < joinBy)
            {
                slow.poll(Duration.ofMillis(50));
            }
            assertTrue(slow.assignment().contains(tp));
            // Processing that takes longer than the 4 s session timeout: the background heartbeat keeps the member.
            final long busyUntil = System.nanoTime() + Duration.ofMillis(5000).toNanos();
            while (System.nanoTime() < busyUntil)
            {
                java.util.concurrent.locks.LockSupport.parkNanos(busyUntil - System.nanoTime());
            }
            final GroupDescription during = admin.describeGroup("slowpokes");
            assertEquals(1, during.members().size(), "still a member after 5 s without polling");
            assertEquals(Set.of(tp), during.members().get(0).owned());
            slow.poll(Duration.ofMillis(50));
            assertEquals(Set.of(tp), slow.assignment(), "nothing was lost");
            // Past max.poll.interval.ms the member leaves on its own, so its partitions can go to others.
            GroupMember.await(() -> admin.describeGroup("slowpokes").members().isEmpty(), 15_000,
                "the member to leave after max.poll.interval.ms without a poll");
            // The next poll rejoins.
            final long rejoinBy = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (admin.describeGroup("slowpokes").members().isEmpty() && System.nanoTime() < rejoinBy)
            {
                slow.poll(Duration.ofMillis(50));
            }
            assertEquals(1, admin.describeGroup("slowpokes").members().size());
        }
    }

    @Test
    void withoutACommittedOffsetAutoOffsetResetNoneFailsPollClearly()
    {
        createTopic("unset", 1);
        try (Consumer<String, String> consumer = new Consumer<>(Map.of("bootstrap.servers", broker.bootstrap(),
            "group.id", "strict", "auto.offset.reset", "none"), new StringDeserializer(), new StringDeserializer()))
        {
            consumer.subscribe(List.of("unset"));
            final io.sluice.common.errors.NoOffsetForPartitionException e = org.junit.jupiter.api.Assertions
                .assertThrows(io.sluice.common.errors.NoOffsetForPartitionException.class, () ->
                {
                    final long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                    while (System.nanoTime() < deadline)
                    {
                        consumer.poll(Duration.ofMillis(50));
                    }
                });
            assertTrue(e.getMessage().contains("unset-0") && e.getMessage().contains("auto.offset.reset"),
                e.getMessage());
        }
    }

    @Test
    void manyAsynchronousCommitsCompleteInOrderAndTheLastOneWins()
    {
        createTopic("async", 1);
        produce("async", 0, 500);
        final TopicPartition tp = new TopicPartition("async", 0);
        try (Consumer<String, String> consumer = new Consumer<>(Map.of("bootstrap.servers", broker.bootstrap(),
            "group.id", "async-committers", "enable.auto.commit", "false"), new StringDeserializer(),
            new StringDeserializer()))
        {
            consumer.subscribe(List.of("async"));
            final long joinBy = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!consumer.assignment().contains(tp) && System.nanoTime() < joinBy)
            {
                consumer.poll(Duration.ofMillis(50));
            }
            final List<Long> completed = new java.util.concurrent.CopyOnWriteArrayList<>();
            final List<Exception> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
            for (long offset = 1; offset <= 300; offset++)
            {
                consumer.commitAsync(Map.of(tp, new OffsetAndMetadata(offset)), (offsets, e) ->
                {
                    completed.add(offsets.get(tp).offset());
                    if (e != null)
                    {
                        failures.add(e);
                    }
                });
                if (offset == 150)
                {
                    // A synchronous commit carries what is queued and must not be overtaken by it.
                    consumer.commitSync(Map.of(tp, new OffsetAndMetadata(150)));
                    assertEquals(150, consumer.committed(Set.of(tp)).get(tp).offset());
                }
            }
            final long doneBy = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (completed.size() < 300 && System.nanoTime() < doneBy)
            {
                consumer.poll(Duration.ofMillis(20));
            }
            assertTrue(failures.isEmpty(), failures.toString());
            final List<Long> expected = new ArrayList<>();
            for (long offset = 1; offset <= 300; offset++)
            {
                expected.add(offset);
            }
            assertEquals(expected, completed, "every callback ran once, in commit order");
            assertEquals(300, consumer.committed(Set.of(tp)).get(tp).offset());
        }
    }

    @Test
    void theOffsetsTopicCanBeNeitherCreatedByHandNorDeleted()
    {
        createTopic("guard-offsets", 1);
        produce("guard-offsets", 0, 1);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrap())))
        {
            final io.sluice.common.errors.ApiException created = org.junit.jupiter.api.Assertions.assertThrows(
                io.sluice.common.errors.ApiException.class, () -> admin.createTopic(new NewTopic(
                    "__consumer_offsets", 1, (short)1)));
            assertTrue(created.getMessage().contains("internal") || created.code()
                == Errors.TOPIC_ALREADY_EXISTS.code(), created.getMessage());
            admin.alterGroupOffsets("guard", Map.of(new TopicPartition("guard-offsets", 0), 1L));
            final Map<String, io.sluice.common.errors.SluiceException> deleted = admin.deleteTopics(
                List.of("__consumer_offsets"));
            assertTrue(deleted.get("__consumer_offsets") != null
                && deleted.get("__consumer_offsets").getMessage().contains("internal"), deleted.toString());
            assertTrue(admin.listTopics(true).contains("__consumer_offsets"));
            assertTrue(!admin.listTopics(false).contains("__consumer_offsets"), "hidden unless asked");
            assertEquals(1, admin.describeGroup("guard").partitions().get(0).committedOffset());
        }
    }

    @Test
    void badGroupRequestsGetTheirErrorAndLeaveTheGroupUnharmed() throws Exception
    {
        createTopic("guarded", 2);
        produce("guarded", 0, 100);
        try (RawClient raw = new RawClient(broker.port()))
        {
            final FindCoordinatorResponse found = FindCoordinatorResponse.read(raw.call(ApiKeys.FIND_COORDINATOR,
                new FindCoordinatorRequest(FindCoordinatorRequest.GROUP, "guards")));
            assertEquals(Errors.NONE.code(), found.errorCode());
            // A real member joins and gets both partitions.
            ConsumerGroupHeartbeatResponse joined = ConsumerGroupHeartbeatResponse.read(raw.call(
                ApiKeys.CONSUMER_GROUP_HEARTBEAT, new ConsumerGroupHeartbeatRequest("guards", null, 0, 60_000,
                    List.of("guarded"), null, List.of())));
            assertEquals(Errors.NONE.code(), joined.errorCode(), joined.errorMessage());
            final String member = joined.memberId();
            final int epoch = joined.memberEpoch();
            assertEquals(2, TopicPartitionsData.toSet(joined.assignment()).size());

            // Commit for a partition it does not own (a partition of another topic).
            createTopic("elsewhere", 1);
            assertEquals(Errors.PARTITION_NOT_OWNED.code(), commit(raw, "guards", member, epoch, "elsewhere", 0, 5));
            // A stale epoch, a newer epoch, an unknown member.
            assertEquals(Errors.STALE_MEMBER_EPOCH.code(), commit(raw, "guards", member, epoch - 1, "guarded", 0,
                5));
            assertEquals(Errors.FENCED_MEMBER_EPOCH.code(), commit(raw, "guards", member, epoch + 1, "guarded",
                0, 5));
            assertEquals(Errors.UNKNOWN_MEMBER_ID.code(), commit(raw, "guards", "nobody", epoch, "guarded", 0,
                5));
            // Outsiders may not commit while the group has members.
            assertEquals(Errors.NON_EMPTY_GROUP.code(), commit(raw, "guards", "", -1, "guarded", 0, 5));
            // Unknown group, empty and too long group ids.
            assertEquals(Errors.GROUP_ID_NOT_FOUND.code(), commit(raw, "no-such-group", "m", 1, "guarded", 0,
                5));
            assertEquals(Errors.GROUP_ID_NOT_FOUND.code(), ConsumerGroupHeartbeatResponse.read(raw.call(
                ApiKeys.CONSUMER_GROUP_HEARTBEAT, new ConsumerGroupHeartbeatRequest("no-such-group", "m", 3, 60_000,
                    null, null, null))).errorCode());
            assertEquals(Errors.INVALID_GROUP_ID.code(), commit(raw, "", "", -1, "guarded", 0, 5));
            assertEquals(Errors.INVALID_GROUP_ID.code(), commit(raw, "g".repeat(256), "", -1, "guarded", 0, 5));
            assertEquals(Errors.INVALID_GROUP_ID.code(), FindCoordinatorResponse.read(raw.call(
                ApiKeys.FIND_COORDINATOR, new FindCoordinatorRequest(FindCoordinatorRequest.GROUP, ""))).errorCode());
            assertEquals(Errors.INVALID_REGULAR_EXPRESSION.code(), ConsumerGroupHeartbeatResponse.read(raw.call(
                ApiKeys.CONSUMER_GROUP_HEARTBEAT, new ConsumerGroupHeartbeatRequest("guards", null, 0, 60_000, null,
                    "(unclosed", List.of()))).errorCode());
            assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), commit(raw, "guards", member, epoch, "guarded", 7,
                5));

            // The group is unharmed: the member still heartbeats at its epoch, owns both partitions, and commits.
            final ConsumerGroupHeartbeatResponse again = ConsumerGroupHeartbeatResponse.read(raw.call(
                ApiKeys.CONSUMER_GROUP_HEARTBEAT, new ConsumerGroupHeartbeatRequest("guards", member, epoch,
                    60_000, null, null, joined.assignment())));
            assertEquals(Errors.NONE.code(), again.errorCode(), again.errorMessage());
            assertEquals(epoch, again.memberEpoch());
            assertEquals(2, TopicPartitionsData.toSet(again.assignment()).size());
            assertEquals(Errors.NONE.code(), commit(raw, "guards", member, epoch, "guarded", 1, 17));
            final OffsetFetchResponse offsets = OffsetFetchResponse.read(raw.call(ApiKeys.OFFSET_FETCH,
                new OffsetFetchRequest("guards", member, epoch, null)));
            assertEquals(Errors.NONE.code(), offsets.errorCode());
            assertEquals(1, offsets.offsets().size(), "only the good commit is stored: " + offsets.offsets());
            assertEquals(17, offsets.offsets().get(0).offset());
            // Deleting a group with members is refused; describing an unknown group says so.
            final GroupResultsResponse deleted = GroupResultsResponse.read(raw.call(ApiKeys.DELETE_GROUPS,
                new GroupIdsRequest(List.of("guards", "no-such-group"))));
            assertEquals(Errors.NON_EMPTY_GROUP.code(), deleted.results().get(0).errorCode());
            assertEquals(Errors.GROUP_ID_NOT_FOUND.code(), deleted.results().get(1).errorCode());
            final DescribeGroupsResponse described = DescribeGroupsResponse.read(raw.call(ApiKeys.DESCRIBE_GROUPS,
                new GroupIdsRequest(List.of("no-such-group"))));
            assertEquals(Errors.GROUP_ID_NOT_FOUND.code(), described.groups().get(0).errorCode());
            // Leaving works, after which outsiders may reset offsets and delete the group.
            assertEquals(Errors.NONE.code(), ConsumerGroupHeartbeatResponse.read(raw.call(
                ApiKeys.CONSUMER_GROUP_HEARTBEAT, new ConsumerGroupHeartbeatRequest("guards", member, -1, 60_000,
                    null, null, null))).errorCode());
            assertEquals(Errors.NONE.code(), commit(raw, "guards", "", -1, "guarded", 0, 3));
            assertEquals(Errors.NONE.code(), GroupResultsResponse.read(raw.call(ApiKeys.DELETE_GROUPS,
                new GroupIdsRequest(List.of("guards")))).results().get(0).errorCode());
        }
    }

    /** The error of a one-partition commit: the request's if it failed as a whole, else the partition's. */
    private static short commit(final RawClient raw, final String group, final String member, final int epoch,
        final String topic, final int partition, final long offset) throws java.io.IOException
    {
        final PartitionErrorsResponse response = PartitionErrorsResponse.read(raw.call(ApiKeys.OFFSET_COMMIT,
            new OffsetCommitRequest(group, member, epoch, List.of(new OffsetCommitRequest.TopicData(topic, List.of(
                new OffsetCommitRequest.PartitionData(partition, offset, -1, "")))))));
        return response.errorCode() != Errors.NONE.code() ? response.errorCode()
            : response.topics().get(0).partitions().get(0).errorCode();
    }

    private static Set<Long> survivorOffsets(final GroupMember member, final int partition)
    {
        final Set<Long> offsets = new HashSet<>();
        member.received.forEach(r ->
        {
            if (r.partition() == partition)
            {
                offsets.add(r.offset());
            }
        });
        return offsets;
    }

    /** Offsets below {@code end} a fresh consumer reading the partition from the start does not get. */
    private String logGaps(final int partition, final long end)
    {
        final TopicPartition tp = new TopicPartition("crash", partition);
        final Set<Long> offsets = new HashSet<>();
        try (Consumer<String, String> reader = new Consumer<>(Map.of("bootstrap.servers", broker.bootstrap()),
            new StringDeserializer(), new StringDeserializer()))
        {
            reader.assign(List.of(tp));
            reader.seekToBeginning(List.of(tp));
            final long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            while (reader.position(tp) < end && System.nanoTime() < deadline)
            {
                reader.poll(Duration.ofMillis(200)).forEach(r -> offsets.add(r.offset()));
            }
            return missing(offsets, Set.of(), end) + " (read up to " + reader.position(tp) + ")";
        }
        catch (final RuntimeException e)
        {
            return "(unknown: " + e + ")";
        }
    }

    private String committedNow(final int partition)
    {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrap())))
        {
            return Long.toString(admin.describeGroup("crashers").partitions().stream()
                .filter(p -> p.partition().partition() == partition).findFirst().orElseThrow().committedOffset());
        }
        catch (final Exception e)
        {
            return "(unknown: " + e + ")";
        }
    }

    private static List<String> lastLinesAbout(final List<String> lines, final int partition, final int count)
    {
        final List<String> about = lines.stream().filter(l -> l.length() > 2 && l.substring(2).split(" ")[0]
            .equals(Integer.toString(partition))).toList();
        return about.subList(Math.max(0, about.size() - count), about.size());
    }

    /** The lines of a file another process is writing, without a last one it has not finished. */
    private static List<String> completeLines(final Path file)
    {
        try
        {
            final String text = java.nio.file.Files.readString(file);
            return text.substring(0, text.lastIndexOf('\n') + 1).lines().toList();
        }
        catch (final java.io.IOException e)
        {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String lastWarnings(final String log, final int count)
    {
        final List<String> warnings = log.lines().filter(l -> l.contains("WARN") || l.contains("ERROR")).toList();
        return String.join("\n", warnings.subList(Math.max(0, warnings.size() - count), warnings.size()));
    }

    /** The offsets below {@code end} in neither set, as ranges, for a failure message. */
    private static List<String> missing(final Set<Long> a, final Set<Long> b, final long end)
    {
        final List<String> ranges = new ArrayList<>();
        long from = -1;
        for (long o = 0; o <= end; o++)
        {
            final boolean absent = o < end && !a.contains(o) && !b.contains(o);
            if (absent && from < 0)
            {
                from = o;
            }
            else if (!absent && from >= 0)
            {
                ranges.add(from + ".." + (o - 1));
                from = -1;
            }
        }
        return ranges;
    }

    /** Whether the two sets together hold every offset below {@code end}. */
    private static boolean covered(final Set<Long> a, final Set<Long> b, final long end)
    {
        for (long o = 0; o < end; o++)
        {
            if (!a.contains(o) && !b.contains(o))
            {
                return false;
            }
        }
        return true;
    }
}

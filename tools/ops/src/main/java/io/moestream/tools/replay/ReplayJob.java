package io.moestream.tools.replay;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;

/** One {@code ./moe replay}: select the records, then export them, or replay them and optionally diff the answers. */
public final class ReplayJob {
    private static final Duration READ_TIMEOUT = Duration.ofMinutes(2);

    private final ReplaySettings settings;
    private final PrintWriter out;
    private final PrintWriter progress;

    public ReplayJob(ReplaySettings settings, PrintWriter out, PrintWriter progress) {
        this.settings = settings;
        this.out = out;
        this.progress = progress;
    }

    /** Runs the job; returns the exit status: 0, or 1 when the diff found a difference. */
    public int run() throws IOException, InterruptedException {
        validate();
        Pacer pacer = Pacer.parse(settings.speed());
        HeaderRewrite rewrite = new HeaderRewrite(settings.source(), settings.target(), settings.droppedHeaders());
        List<ReplayRecord> records = select();
        if (settings.exportFile() != null) {
            ReplayFile.write(settings.exportFile(), records);
            out.printf("exported %d records to %s%n", records.size(), settings.exportFile());
            return 0;
        }
        TopicMapping mapping = new TopicMapping(settings.source(), settings.target());
        Map<String, String> replyTopics = rewrite.replyTopics(records);
        List<String> created = TargetTopics.ensure(settings.targetBootstrap(), targetTopics(records, mapping, replyTopics));
        if (!created.isEmpty()) {
            out.println("created target topics " + created);
        }
        ExpectedReplies expected = ExpectedReplies.of(records, settings.source());
        ReplyCollector shadowReplies = new ReplyCollector(settings.targetBootstrap());
        Map<TopicPartition, Long> shadowStarts = settings.diff() ? shadowReplies.endOffsets(replyTopics.values()) : Map.of();

        out.printf("replaying %d records%s into %s at speed %s; replies to %s%n", records.size(), span(records),
                settings.targetBootstrap(), settings.speed(), replyTopics.values());
        ReplayProgress bar = new ReplayProgress(progress, records.size());
        try (KafkaSink sink = new KafkaSink(settings.targetBootstrap())) {
            new Replayer(mapping, rewrite, pacer).replay(records, sink, bar);
        }
        out.println(bar.summary());
        if (!settings.diff()) {
            return 0;
        }
        ReplyBook original = new ReplyCollector(settings.sourceBootstrap()).recorded(replyTopics.keySet(),
                records.isEmpty() ? 0 : records.get(0).timestamp());
        ReplyBook shadow = shadowReplies.follow(shadowStarts, expected, settings.diffTimeout());
        DiffReport report = ReplyDiff.compare(original, shadow, expected, settings.tolerance());
        out.print(report.format());
        out.flush();
        return report.matches() ? 0 : 1;
    }

    private void validate() {
        if (settings.importFile() != null && settings.exportFile() != null) {
            throw new IllegalArgumentException("--import and --export together would only copy a file");
        }
        if (settings.importFile() == null && settings.sourceBootstrap() == null) {
            throw new IllegalArgumentException("say where the traffic is: --bootstrap HOST:PORT or --import FILE");
        }
        if (settings.diff() && settings.sourceBootstrap() == null) {
            throw new IllegalArgumentException("--diff reads production's recorded answers: give --bootstrap");
        }
        if (settings.exportFile() == null && settings.targetBootstrap() == null) {
            throw new IllegalArgumentException("say where to replay: --target-bootstrap and/or --target-prefix");
        }
        if (settings.exportFile() == null && settings.targetBootstrap().equals(settings.sourceBootstrap())
                && settings.target().equals(settings.source())) {
            throw new IllegalArgumentException("the target is the source pipeline itself; give --target-prefix "
                    + "(e.g. shadow.) or --target-bootstrap of another cluster");
        }
    }

    private List<ReplayRecord> select() throws IOException, InterruptedException {
        if (settings.importFile() != null) {
            List<ReplayRecord> records = new ArrayList<>(ReplayFile.read(settings.importFile()));
            records.sort(RangeReader.SEND_ORDER);
            return records;
        }
        List<OffsetRange> ranges = settings.selection().ranges(settings.sourceBootstrap(), settings.source());
        out.println("selected " + ranges);
        return RangeReader.read(settings.sourceBootstrap(), ranges, READ_TIMEOUT);
    }

    /** The topics the replay writes to (partitions as on the source) and the reply topics the answers go to. */
    private static Map<String, Integer> targetTopics(List<ReplayRecord> records, TopicMapping mapping,
                                                     Map<String, String> replyTopics) {
        Map<String, Integer> partitions = new TreeMap<>();
        for (ReplayRecord r : records) {
            partitions.merge(mapping.targetOf(r.topic()), r.partition() + 1, Math::max);
        }
        replyTopics.values().forEach(t -> partitions.putIfAbsent(t, 1));
        return partitions;
    }

    private static String span(List<ReplayRecord> records) {
        if (records.isEmpty()) {
            return "";
        }
        long first = records.get(0).timestamp();
        long last = records.get(records.size() - 1).timestamp();
        return String.format(" recorded %s .. %s (%.1f s)", Instant.ofEpochMilli(first), Instant.ofEpochMilli(last),
                (last - first) / 1000.0);
    }
}

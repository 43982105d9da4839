package io.moestream.tools.cli;

import io.moestream.core.topics.Topics;
import io.moestream.tools.replay.RecordSelection;
import io.moestream.tools.replay.ReplayJob;
import io.moestream.tools.replay.ReplaySettings;
import io.moestream.tools.replay.TimeBound;
import io.moestream.tools.replay.TopicRef;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code moe replay}: replay recorded topic traffic into another cluster or a shadow pipeline, and diff the answers. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Replay recorded traffic of the pipeline's topics, paced, into another cluster or a prefixed "
                + "shadow pipeline; optionally compare the shadow's answers with production's.")
public final class ReplayCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--bootstrap", description = "Source Kafka cluster HOST:PORT (the recorded traffic and answers).")
    String bootstrap;

    @Option(names = "--source-prefix", defaultValue = "", description = "Topic prefix of the source pipeline (default none).")
    String sourcePrefix;

    @Option(names = "--topic", split = ",", defaultValue = "tokens",
            description = "Topics to replay: tokens and/or L{layer}.e{expert} (default ${DEFAULT-VALUE}).")
    List<String> topics;

    @Option(names = "--from", description = "Start of the time range: ISO instant, now, or a duration before now (15m, 2h, PT15M).")
    String from;

    @Option(names = "--to", defaultValue = "now", description = "End of the time range, exclusive (default ${DEFAULT-VALUE}).")
    String to;

    @Option(names = "--offsets", split = ",",
            description = "Explicit ranges TOPIC:PARTITION=FROM-TO (TO exclusive), instead of a time range.")
    List<String> offsets = List.of();

    @Option(names = "--import", description = "Replay the records of this file instead of reading --bootstrap.")
    Path importFile;

    @Option(names = "--export", description = "Write the selected records to this file instead of replaying them.")
    Path exportFile;

    @Option(names = "--target-bootstrap", description = "Target Kafka cluster (default: the source cluster).")
    String targetBootstrap;

    @Option(names = "--target-prefix", defaultValue = "", description = "Topic prefix of the target pipeline, e.g. shadow.")
    String targetPrefix;

    @Option(names = "--speed", defaultValue = "1",
            description = "1 keeps the recorded inter-arrival times, 10 replays ten times faster, max as fast as possible (default ${DEFAULT-VALUE}).")
    String speed;

    @Option(names = "--drop-headers", split = ",", description = "Headers not to copy to the target (others are kept).")
    List<String> dropHeaders = List.of();

    @Option(names = "--diff", description = "Compare the target's answers with production's recorded ones.")
    boolean diff;

    @Option(names = "--diff-timeout", defaultValue = "PT60S",
            description = "How long to wait for the target's answers (default ${DEFAULT-VALUE}).")
    Duration diffTimeout;

    @Option(names = "--tolerance", defaultValue = "1e-5",
            description = "Relative error above which a result counts as different (default ${DEFAULT-VALUE}).")
    double tolerance;

    @Override
    public Integer call() throws Exception {
        try {
            Instant now = Instant.now();
            RecordSelection selection = new RecordSelection(
                    topics.stream().map(TopicRef::parse).toList(),
                    from == null ? null : TimeBound.parse(from, now),
                    TimeBound.parse(to, now), offsets);
            ReplaySettings settings = new ReplaySettings(bootstrap, new Topics(sourcePrefix), selection, importFile,
                    exportFile, targetBootstrap != null ? targetBootstrap : bootstrap, new Topics(targetPrefix), speed,
                    new HashSet<>(dropHeaders), diff, diffTimeout, tolerance);
            return new ReplayJob(settings, spec.commandLine().getOut(), spec.commandLine().getErr()).run();
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("moe replay: " + e.getMessage());
            return 2;
        }
    }
}

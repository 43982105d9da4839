package io.moestream.tools.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.moestream.core.model.ModelGenerator;
import io.moestream.core.model.ModelSpec;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.topics.Topics;
import io.moestream.testsupport.TestKafkaCluster;
import io.moestream.tools.cli.ReplayCommand;
import io.moestream.tools.client.GatewayClient;
import io.moestream.tools.stack.LocalStack;
import io.moestream.tools.stack.MoeHome;
import io.moestream.tools.stack.StackOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Replay on a real broker: live traffic through a production pipeline (router, expert service and gateway as
 * processes from their jars), then {@code ./moe replay --target-prefix shadow. --speed 10 --diff} into a shadow
 * pipeline started with that topic prefix. The same model must answer exactly as production did; a shadow whose
 * expert 2 has other weights must be reported, naming that expert and no other.
 */
class ReplayIT {
    static final Topics SHADOW = new Topics("shadow.");
    static final ModelSpec SPEC = new ModelSpec(1, 4, 2, 32, 64, 5);
    static final int REQUESTS = 3;
    static final int TOKENS = 200;
    static final int CHUNK_ROWS = 50;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void shouldReplayIntoAShadowPipelineAndFindTheAlteredExpert() throws Exception {
        // given a model, a copy whose expert 2 differs, and the production pipeline on a real broker
        Path model = dir.resolve("model");
        ModelGenerator.generate(model, SPEC);
        Path altered = dir.resolve("altered");
        AlteredModel.copyWithScaledExpert(model, altered, 2, 1.5f);
        try (TestKafkaCluster kafka = TestKafkaCluster.start();
             LocalStack production = LocalStack.start(MoeHome.locate(),
                     StackOptions.forModel(model).withBootstrap(kafka.bootstrapServers()), System.out::println)) {
            String bootstrap = kafka.bootstrapServers();

            // when live traffic runs through production: a few requests with pauses between them
            Instant from = Instant.now();
            try (GatewayClient client = new GatewayClient(production.gatewayAddress())) {
                for (int r = 0; r < REQUESTS; r++) {
                    client.infer("replay-it-" + r, 0, Matrix.gaussian(TOKENS, SPEC.config().dModel(), r), CHUNK_ROWS,
                            Duration.ofMinutes(2));
                    Thread.sleep(300);
                }
            }
            List<String> replay = List.of("--bootstrap", bootstrap, "--from", from.toString(), "--to", "now",
                    "--target-prefix", SHADOW.prefix(), "--speed", "10", "--diff", "--diff-timeout", "PT120S");

            // then a shadow with the same model answers every chunk exactly as production did
            Path file = dir.resolve("traffic.moereplay");
            try (LocalStack shadow = startShadow(model, bootstrap)) {
                Run same = run(replay);
                assertThat(same.status()).as(same.output()).isZero();
                assertThat(comparedChunks(same.output())).isEqualTo(REQUESTS * TOKENS / CHUNK_ROWS);
                assertThat(same.output()).contains("(0 not answered by the shadow").contains("): none").contains("MATCH");

                // and so does the same traffic exported to a file and replayed from it
                Run export = run(List.of("--bootstrap", bootstrap, "--from", from.toString(), "--export", file.toString()));
                assertThat(export.status()).as(export.output()).isZero();
                List<String> fromFile = new ArrayList<>(replay);
                fromFile.addAll(List.of("--import", file.toString()));
                Run imported = run(fromFile);
                assertThat(imported.status()).as(imported.output()).isZero();
                assertThat(comparedChunks(imported.output())).isEqualTo(REQUESTS * TOKENS / CHUNK_ROWS);

                // and replaying one expert's task topic alone compares that expert's results
                Run expertOnly = run(List.of("--bootstrap", bootstrap, "--from", from.toString(), "--topic", "L0.e2",
                        "--target-prefix", SHADOW.prefix(), "--speed", "10", "--diff", "--diff-timeout", "PT120S"));
                assertThat(expertOnly.status()).as(expertOnly.output()).isZero();
                assertThat(comparedChunks(expertOnly.output())).isZero();
                assertThat(comparedResults(expertOnly.output())).isPositive();
            }

            // and a shadow whose expert 2 has other weights is reported, naming expert 2 only
            try (LocalStack shadow = startShadow(altered, bootstrap)) {
                Run different = run(replay);
                assertThat(different.status()).as(different.output()).isEqualTo(1);
                String differing = line(different.output(), "experts that differ");
                assertThat(differing).contains("L0.e2 (").doesNotContain("L0.e0").doesNotContain("L0.e1")
                        .doesNotContain("L0.e3");
                assertThat(different.output()).contains("DIFFERENT");
            }
        }
    }

    private static LocalStack startShadow(Path model, String bootstrap) throws Exception {
        return LocalStack.start(MoeHome.locate(), StackOptions.forModel(model).withBootstrap(bootstrap).withTopics(SHADOW),
                line -> System.out.println("shadow: " + line));
    }

    record Run(int status, String output) {
    }

    private static Run run(List<String> args) {
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new ReplayCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(out, true));
        int status = cli.execute(args.toArray(String[]::new));
        System.out.println("./moe replay " + String.join(" ", args) + "\n" + out + "exit status " + status);
        return new Run(status, out.toString());
    }

    private static int comparedChunks(String output) {
        Matcher m = Pattern.compile("diff: (\\d+) chunks compared").matcher(output);
        assertThat(m.find()).as(output).isTrue();
        return Integer.parseInt(m.group(1));
    }

    private static int comparedResults(String output) {
        Matcher m = Pattern.compile("expert results: (\\d+) compared").matcher(output);
        assertThat(m.find()).as(output).isTrue();
        return Integer.parseInt(m.group(1));
    }

    private static String line(String output, String start) {
        return output.lines().filter(l -> l.strip().startsWith(start)).findFirst().orElseThrow();
    }
}

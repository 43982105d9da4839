package io.moestream.tools.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.moestream.core.layer.ReferenceMoeLayer;
import io.moestream.core.model.ModelGenerator;
import io.moestream.core.model.ModelSpec;
import io.moestream.core.model.MoeModel;
import io.moestream.core.tensor.ErrorStats;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.tensor.TensorMessages;
import io.moestream.core.topics.StreamRequestIds;
import io.moestream.core.topics.Topics;
import io.moestream.proto.v1.DType;
import io.moestream.proto.v1.ExpertTask;
import io.moestream.proto.v1.Reply;
import io.moestream.proto.v1.TokenChunk;
import io.moestream.testsupport.TestKafkaCluster;
import io.moestream.testsupport.TopicRecords;
import io.moestream.tools.client.GatewayClient;
import io.moestream.tools.stack.LocalStack;
import io.moestream.tools.stack.MoeHome;
import io.moestream.tools.stack.StackOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./moe up --wire-dtype bf16}: the router sends the expert tasks as bf16, the experts answer in bf16, and the
 * layer's output stays within bf16's rounding of the fp32 reference. And a client's bf16 chunks stay bf16 on every
 * topic whatever the wire dtype. The bf16 wire needs a stack of its own; the default stack (fp32 wire) is
 * {@link PipelineIT}'s shared one ({@link SharedStacks}), so only this test's records are read.
 */
@ExtendWith(SharedStacks.class)
class WireDtypeIT {
    private static final int EXPERTS = 4;
    /** bf16 keeps 8 significant bits: each of input and output rounds by up to 2^-9 relative. */
    private static final double MAX_REL_ERROR = 1e-2;

    @TempDir
    Path modelDir;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void shouldCarryTasksAndResultsAsBf16() throws Exception {
        // when an fp32 client is served by a stack whose wire dtype is bf16
        Served served = serveOnOwnStack("bf16", DType.FP32, 13, "wire-dtype-it", "WireDtypeIT");

        // then: the output is the reference's within bf16 rounding, and not bit-exact (the rows were narrowed)
        System.out.println("bf16 wire vs fp32 reference: " + served.error());
        assertThat(served.error().maxRelError()).isGreaterThan(1e-5).isLessThan(MAX_REL_ERROR);
        // and every task and every result on the topics is bf16
        assertThat(served.tasks()).hasSizeGreaterThanOrEqualTo(4).containsOnly(DType.BF16);
        assertThat(served.results()).hasSameSizeAs(served.tasks()).containsOnly(DType.BF16);
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void shouldKeepBf16ChunksBf16OnEveryTopic(SharedStacks stacks) throws Exception {
        // when a bf16 client is served by the default stack (fp32 wire)
        SharedStacks.Stack stack = stacks.get(PipelineIT.SHARED);
        Served served;
        try {
            served = serve(stack.client(), stack.kafka().bootstrapServers(), stack.modelDir(), DType.BF16, 17,
                    "bf16-chunks-it");
        } finally {
            stack.stack().copyLogsTo(PipelineFixtures.logDir("WireDtypeIT-bf16-chunks"));
        }

        // then the output is the reference's on the same values, within bf16 rounding of results and output
        System.out.println("bf16 chunks vs fp32 reference on the same input: " + served.error());
        assertThat(served.error().maxRelError()).isGreaterThan(1e-5).isLessThan(MAX_REL_ERROR);
        // and the chunks, the tasks and the results all travelled as bf16, though the wire dtype is fp32
        List<DType> dtypes = new ArrayList<>(served.tokens());
        dtypes.addAll(served.tasks());
        dtypes.addAll(served.results());
        // 4 chunks, at least one task each, and as many results
        assertThat(dtypes).hasSizeGreaterThanOrEqualTo(12).containsOnly(DType.BF16);
    }

    /** The output's error against the reference, and the dtype of every token chunk, task and result on the topics. */
    private record Served(ErrorStats error, List<DType> tokens, List<DType> tasks, List<DType> results) {
    }

    /**
     * Starts a stack with {@code wireDtype} on its own broker and {@link #serve}s on it.
     */
    private Served serveOnOwnStack(String wireDtype, DType sent, long seed, String requestId, String logName)
            throws Exception {
        ModelGenerator.generate(modelDir, new ModelSpec(1, EXPERTS, 2, 64, 96, 5));
        try (TestKafkaCluster kafka = TestKafkaCluster.start();
             LocalStack stack = LocalStack.start(MoeHome.locate(), StackOptions.forModel(modelDir)
                     .withBootstrap(kafka.bootstrapServers()).withWireDtype(wireDtype), System.out::println);
             GatewayClient client = new GatewayClient(stack.gatewayAddress())) {
            try {
                return serve(client, kafka.bootstrapServers(), modelDir, sent, seed, requestId);
            } finally {
                stack.copyLogsTo(PipelineFixtures.logDir(logName));
            }
        }
    }

    /**
     * Sends 200 random tokens (rounded to {@code sent}) in chunks of 50 as {@code sent} as request {@code requestId},
     * compares the output with the reference layer on the same values, and reads the dtype of every token chunk, task
     * and result of that request on the topics.
     */
    private static Served serve(GatewayClient client, String bootstrap, Path model, DType sent, long seed, String requestId)
            throws Exception {
        int experts;
        int dModel;
        try (MoeModel m = MoeModel.open(model)) {
            experts = m.config().numExperts();
            dModel = m.config().dModel();
        }
        Matrix x = TensorMessages.asSent(Matrix.gaussian(200, dModel, seed), sent);
        Matrix y = client.infer(requestId, 0, x, 50, sent, Duration.ofMinutes(2));
        ErrorStats error;
        try (MoeModel m = MoeModel.open(model); ReferenceMoeLayer reference = new ReferenceMoeLayer(m, 0)) {
            error = ErrorStats.compare(y, reference.forward(x));
        }
        List<DType> tokens = new ArrayList<>();
        List<DType> tasks = new ArrayList<>();
        List<DType> results = new ArrayList<>();
        for (var record : readAll(bootstrap, experts)) {
            if (record.topic().equals(Topics.DEFAULT.tokens())) {
                TokenChunk chunk = TokenChunk.parseFrom(record.value());
                if (ofRequest(chunk.getRequestId(), requestId)) {
                    tokens.add(chunk.getHidden().getDtype());
                }
            } else if (Topics.DEFAULT.isReplyTopic(record.topic())) {
                Reply reply = Reply.parseFrom(record.value());
                if (reply.hasResult() && ofRequest(reply.getResult().getRequestId(), requestId)) {
                    results.add(reply.getResult().getWeighted().getDtype());
                }
            } else {
                ExpertTask task = ExpertTask.parseFrom(record.value());
                if (ofRequest(task.getRequestId(), requestId)) {
                    tasks.add(task.getRows().getDtype());
                }
            }
        }
        return new Served(error, tokens, tasks, results);
    }

    private static boolean ofRequest(String topicRequestId, String requestId) {
        return StreamRequestIds.clientPart(topicRequestId).equals(requestId);
    }

    /** Every record of the token topic, the expert topics of layer 0 and the reply topics, from the beginning. */
    private static List<ConsumerRecord<String, byte[]>> readAll(String bootstrap, int experts)
            throws Exception {
        List<TopicPartition> partitions = new ArrayList<>();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            for (String topic : admin.listTopics().names().get()) {
                boolean expertTopic = IntStream.range(0, experts).anyMatch(e -> topic.equals(Topics.DEFAULT.expert(0, e)));
                if (expertTopic || Topics.DEFAULT.isReplyTopic(topic) || topic.equals(Topics.DEFAULT.tokens())) {
                    admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
                            .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
                }
            }
        }
        return TopicRecords.toEnd(TopicRecords.plain(bootstrap), partitions, Duration.ofSeconds(60));
    }
}

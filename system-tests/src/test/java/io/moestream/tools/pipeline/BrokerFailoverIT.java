package io.moestream.tools.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.moestream.core.tensor.Matrix;
import io.moestream.core.topics.Topics;
import io.moestream.tools.stack.ChildProcess;
import io.moestream.tools.stack.StackOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * {@code ./moe up --brokers 3} on the real pipeline: three KRaft brokers as separate processes, topics with three
 * replicas and {@code min.insync.replicas} 2, and the services writing with {@code acks=all}. SIGKILL of the partition
 * leader of the token topic, then of a busy expert topic, then the active KRaft controller, mid-stream: the stream completes with every chunk answered
 * once and equal to the reference layer, and the supervisor restarts the broker on its kept data, where it rejoins and
 * catches up (back in every in-sync replica set). The time until the stream made progress again is printed
 * (BENCHMARKS.md, "Recovery").
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BrokerFailoverIT {
    static final int BROKERS = 3;
    static final Topics TOPICS = Topics.DEFAULT;

    private SupervisedStack fixture;
    private Admin admin;

    @BeforeAll
    void startStack() throws Exception {
        fixture = SupervisedStack.start("BrokerFailoverIT", 51, modelDir -> StackOptions.forModel(modelDir).withBrokers(BROKERS));
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, fixture.stack().bootstrapServers()));
    }

    @AfterAll
    void stopStack() throws Exception {
        if (admin != null) {
            admin.close();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    @Order(1)
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void theTokenTopicsLeaderKilledMidStreamLosesNothingAndRejoins() throws Exception {
        // the launcher's topics are replicated on every broker and need two in sync for a write
        TopicDescription tokens = describe(TOPICS.tokens());
        assertThat(tokens.partitions()).allSatisfy(p -> assertThat(p.replicas()).hasSize(BROKERS));
        Config config = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, TOPICS.tokens())))
                .all().get().values().iterator().next();
        assertThat(config.get("min.insync.replicas").value()).isEqualTo("2");

        killLeaderMidStream(TOPICS.tokens(), "(d) one broker of 3: the token topic's leader", 1);
    }

    @Test
    @Order(2)
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void aBusyExpertTopicsLeaderKilledMidStreamLosesNothingAndRejoins() throws Exception {
        // a busy expert topic (every expert gets half the tokens at top-2 of 4) led by another broker than the tokens'
        int tokenLeader = describe(TOPICS.tokens()).partitions().get(0).leader().id();
        String busy = TOPICS.expert(0, 0);
        for (int e = 0; e < 4; e++) {
            if (describe(TOPICS.expert(0, e)).partitions().get(0).leader().id() != tokenLeader) {
                busy = TOPICS.expert(0, e);
                break;
            }
        }
        killLeaderMidStream(busy, "(d) one broker of 3: a busy expert topic's leader", 2);
    }

    @Test
    @Order(3)
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void theActiveControllerKilledMidStreamLosesNothingAndRejoins() throws Exception {
        // every node is a broker and a controller: losing the quorum's leader adds an election before the fencing
        killMidStream(() -> admin.describeMetadataQuorum().quorumInfo().get().leaderId(), "the active KRaft controller",
                "(d) one broker of 3: the active KRaft controller", 3);
    }

    private void killLeaderMidStream(String topic, String scenario, int seed) throws Exception {
        killMidStream(() -> describe(topic).partitions().get(0).leader().id(), "the leader of " + topic, scenario, seed);
    }

    /** Finds a broker's node id at the moment of the kill. */
    private interface Victim {
        int nodeId() throws Exception;
    }

    private void killMidStream(Victim victimNode, String role, String scenario, int seed) throws Exception {
        Matrix x = Matrix.gaussian(SupervisedStack.TOKENS, SupervisedStack.D_MODEL, seed);
        int[] leader = new int[1];
        long[] pid = new long[1];
        // when the broker is killed (SIGKILL) mid-stream
        MidStreamKill.Outcome outcome = MidStreamKill.run(fixture.stack().gatewayAddress(), "broker-kill-" + seed, x,
                SupervisedStack.CHUNK_ROWS, fixture.faultFreeSeconds(), () -> {
                    leader[0] = victimNode.nodeId();
                    ChildProcess victim = running("kafka-" + leader[0]);
                    pid[0] = victim.pid();
                    victim.kill();
                    System.out.println("killed kafka-" + leader[0] + " (pid " + victim.pid() + "), " + role);
                });

        // then every chunk is answered once, in order, equal to the reference layer
        outcome.assertAllAnsweredOnce(x, fixture.reference());
        System.out.println(outcome.line(scenario));

        // and the supervisor restarted the broker, which rejoined: registered again and back in sync everywhere
        awaitRejoined(leader[0], pid[0]);
        assertThat(fixture.supervisor().fatal()).isNull();
        assertThat(fixture.supervisor().lines()).anySatisfy(line -> assertThat(line).startsWith("kafka-" + leader[0]
                + " exited (signal 9); restarting"));
    }

    private void awaitRejoined(int nodeId, long oldPid) {
        String[] state = {""};
        await("kafka-" + nodeId + " rejoins").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(250))
                .until(() -> rejoined(nodeId, oldPid, state));
        System.out.println("kafka-" + nodeId + " rejoined: " + state[0]);
    }

    /**
     * Whether the broker runs again under a new pid, is registered, and is back in the ISR of every partition of every
     * topic (internal ones too): until then a partition it left has one replica in sync, under min.insync.replicas, and
     * the next case would measure two failures at once.
     */
    private boolean rejoined(int nodeId, long oldPid, String[] state) throws Exception {
        boolean restarted = fixture.stack().processes().stream()
                .anyMatch(p -> p.name().equals("kafka-" + nodeId) && p.isAlive() && p.pid() != oldPid);
        int registered = admin.describeCluster().nodes().get().size();
        Set<String> topics = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get();
        List<TopicPartitionInfo> partitions = admin.describeTopics(topics).allTopicNames().get().values().stream()
                .flatMap(topic -> topic.partitions().stream()).toList();
        long outOfSync = partitions.stream().filter(p -> p.isr().stream().noneMatch(n -> n.id() == nodeId)).count();
        state[0] = "restarted " + restarted + ", " + registered + " brokers registered, out of the ISR of " + outOfSync
                + " of " + partitions.size() + " partitions";
        return restarted && registered == BROKERS && outOfSync == 0;
    }

    private TopicDescription describe(String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
    }

    private ChildProcess running(String name) {
        return fixture.stack().processes().stream().filter(p -> p.name().equals(name) && p.isAlive()).findFirst()
                .orElseThrow(() -> new AssertionError("no running process " + name));
    }
}

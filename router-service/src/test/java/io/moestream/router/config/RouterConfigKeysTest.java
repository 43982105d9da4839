package io.moestream.router.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.moestream.core.config.ServiceKeys;
import io.moestream.core.topics.Topics;
import io.moestream.testsupport.MappedKeys;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The router's keys as others write them ({@link ServiceKeys}) and as its {@code application.properties} derives them. */
class RouterConfigKeysTest {

    @Test
    void shouldMapEveryKeyTheStackAndTheCliWriteTheRouterWith() {
        assertThat(MappedKeys.of(RouterConfig.class)).containsAll(ServiceKeys.SHARED).containsAll(ServiceKeys.ROUTER);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "shadow."})
    void shouldRunInTheGroupAndReadTheTopicThatTopicsNames(String prefix) throws IOException {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .addDefaultInterceptors()
                .withSources(new PropertiesConfigSource(getClass().getResource("/application.properties"), 100))
                .withSources(new PropertiesConfigSource(Map.of(ServiceKeys.TOPIC_PREFIX, prefix), "test", 200))
                .build();
        Topics topics = new Topics(prefix);

        assertThat(config.getValue("quarkus.kafka-streams.application-id", String.class)).isEqualTo(topics.routerGroup());
        assertThat(config.getValue("quarkus.kafka-streams.topics", String.class)).isEqualTo(topics.tokens());
    }

    @Test
    void shouldJoinAsAStaticMemberOnlyUnderAGivenInstanceId() throws IOException {
        String key = "kafka-streams.consumer.group.instance.id";

        assertThat(configWith(Map.of(ServiceKeys.ROUTER_INSTANCE_ID, "moe-stack-1-router")).getOptionalValue(key,
                String.class)).contains("moe-stack-1-router");
        assertThat(configWith(Map.of()).getOptionalValue(key, String.class))
                .as("no instance id: a dynamic member, the key absent for Kafka Streams").isEmpty();
    }

    @Test
    void shouldKeepItsStateInADirectoryOfItsOwnUnderTheGivenRoot() throws IOException {
        String key = "kafka-streams.state.dir";
        // what Quarkus and the JVM define at run time
        Map<String, String> runtime = Map.of("quarkus.uuid", "d2c1e6b4", "java.io.tmpdir", "/tmp");

        Map<String, String> underRoot = new HashMap<>(runtime);
        underRoot.put(ServiceKeys.ROUTER_STATE_ROOT, "/stack/router-state");
        assertThat(configWith(underRoot).getValue(key, String.class))
                .isEqualTo("/stack/router-state/moe-router-state-d2c1e6b4");
        assertThat(configWith(runtime).getValue(key, String.class)).as("no root: the system's temporary directory")
                .isEqualTo("/tmp/moe-router-state-d2c1e6b4");
    }

    private SmallRyeConfig configWith(Map<String, String> properties) throws IOException {
        return new SmallRyeConfigBuilder()
                .addDefaultInterceptors()
                .withSources(new PropertiesConfigSource(getClass().getResource("/application.properties"), 100))
                .withSources(new PropertiesConfigSource(properties, "test", 200))
                .build();
    }
}

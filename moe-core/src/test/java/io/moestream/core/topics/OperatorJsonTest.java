package io.moestream.core.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moestream.proto.v1.ExpertLoad;
import io.moestream.proto.v1.LoadAlert;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OperatorJsonTest {
    private static final ObjectMapper PLAIN_JSON = new ObjectMapper();

    private static final LoadAlert ALERT = LoadAlert.newBuilder().setKind(LoadAlert.Kind.IMBALANCE)
            .setState(LoadAlert.State.OPEN).setLayer(0).setAtMs(1_795_454_082_000L).setBalancedness(0.54)
            .setThreshold(0.6).setWindows(3).addHotExperts(3).setMessage("layer 0: balancedness 0.540 under 0.600")
            .build();

    @Test
    void shouldWriteOneLineOfJsonWithTheProtoFieldNamesAndEveryField() throws Exception {
        String text = OperatorJson.text(ALERT);

        assertThat(text).doesNotContain("\n").startsWith("{\"kind\":\"IMBALANCE\",\"state\":\"OPEN\",\"layer\":0,");
        JsonNode plain = PLAIN_JSON.readTree(OperatorJson.encode(ALERT));
        assertThat(plain.path("at_ms").asText()).isEqualTo("1795454082000");
        assertThat(plain.path("balancedness").asDouble()).isEqualTo(0.54);
        assertThat(plain.path("hot_experts").get(0).asInt()).isEqualTo(3);
        // zero and empty fields are there too, so a reader never has to know the defaults
        assertThat(plain.has("expert")).isTrue();
        assertThat(plain.path("cold_experts").isArray()).isTrue();
        assertThat(plain.path("lag_records").asText()).isEqualTo("0");
    }

    @Test
    void shouldReadWhatItWrites() {
        ExpertLoad load = ExpertLoad.newBuilder().setLayer(2).setWindowStartMs(10_000).setWindowEndMs(20_000)
                .setChunks(4).setRows(512).addExpertTokens(700).addExpertTokens(324).addExpertGateWeight(0.5)
                .addExpertProbability(0.25).setBalancedness(0.73).setSwitchAux(1.1).build();

        assertThat(OperatorJson.expertLoad(OperatorJson.encode(load))).isEqualTo(load);
        assertThat(OperatorJson.alert(OperatorJson.encode(ALERT))).isEqualTo(ALERT);
    }

    @Test
    void shouldIgnoreFieldsItDoesNotKnowAndTakeNumbersForWideIntegers() {
        byte[] newer = "{\"kind\":\"EXPERT_STALLED\",\"layer\":1,\"expert\":5,\"lag_records\":12,\"since_ms\":\"7\"}"
                .getBytes(StandardCharsets.UTF_8);

        LoadAlert alert = OperatorJson.alert(newer);

        assertThat(alert.getKind()).isEqualTo(LoadAlert.Kind.EXPERT_STALLED);
        assertThat(alert.getExpert()).isEqualTo(5);
        assertThat(alert.getLagRecords()).isEqualTo(12);
    }

    @Test
    void shouldRefuseAValueThatIsNotTheRecordsJson() {
        byte[] protobufBytes = ALERT.toByteArray();

        assertThatThrownBy(() -> OperatorJson.alert(protobufBytes))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("not LoadAlert JSON");
        assertThatThrownBy(() -> OperatorJson.expertLoad("{\"layer\":\"zero\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("not ExpertLoad JSON");
    }
}

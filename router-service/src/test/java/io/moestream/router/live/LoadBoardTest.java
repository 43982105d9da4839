package io.moestream.router.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.moestream.proto.v1.ExpertLoad;
import io.moestream.proto.v1.LoadAlert;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoadBoardTest {
    private final LoadBoard board = new LoadBoard();

    @Test
    void shouldSendEachSubscriberTheWholePictureOnEveryChange() {
        // given a subscriber
        List<String> events = new ArrayList<>();
        board.subscribe(events::add);

        // when a window closes and an alert opens, then resolves
        board.windowClosed(ExpertLoad.newBuilder().setLayer(1).setWindowStartMs(0).setWindowEndMs(1000).setRows(4)
                .setBalancedness(0.5).addExpertTokens(6).addExpertTokens(2).build());
        LoadAlert open = LoadAlert.newBuilder().setKind(LoadAlert.Kind.IMBALANCE).setState(LoadAlert.State.OPEN)
                .setLayer(1).setAtMs(1000).setMessage("layer 1: hot").build();
        board.alert(open);
        board.alert(open.toBuilder().setState(LoadAlert.State.RESOLVED).build());

        // then: the snapshot at subscription, then one per change
        assertThat(events).hasSize(4);
        assertThat(events.get(0)).isEqualTo("{\"layers\":[],\"alerts\":[]}");
        assertThat(events.get(2)).isEqualTo("{\"layers\":[{\"layer\":1,\"windows\":[{\"start\":0,\"end\":1000,"
                + "\"rows\":4,\"balancedness\":0.5,\"tokens\":[6,2]}]}],"
                + "\"alerts\":[{\"kind\":\"IMBALANCE\",\"layer\":1,\"at\":1000,\"message\":\"layer 1: hot\"}]}");
        assertThat(events.get(3)).endsWith("\"alerts\":[]}");
    }

    @Test
    void shouldDropASubscriberThatFailsAndKeepServingTheOthers() {
        List<String> events = new ArrayList<>();
        board.subscribe(json -> {
            if (!json.contains("\"layers\":[]")) {
                throw new IllegalStateException("connection closed");
            }
        });
        board.subscribe(events::add);

        board.windowClosed(ExpertLoad.newBuilder().setLayer(0).addExpertTokens(1).build());
        board.windowClosed(ExpertLoad.newBuilder().setLayer(0).addExpertTokens(1).build());

        assertThat(events).hasSize(3);
    }
}

package io.moestream.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OrderedRepliesTest {
    private final OrderedReplies<String> replies = new OrderedReplies<>();

    @Test
    void shouldReleaseInSendOrderWhenLaterChunkCompletesFirst() {
        // given chunks 1 and 2 sent in that order
        replies.expect(1);
        replies.expect(2);

        // when chunk 2 completes first, then chunk 1
        replies.complete(2, "two");
        OrderedReplies.Release<String> afterTwo = replies.drain();
        replies.complete(1, "one");
        OrderedReplies.Release<String> afterOne = replies.drain();

        // then nothing is released until chunk 1 is done, then both in send order
        assertThat(afterTwo.answers()).isEmpty();
        assertThat(afterOne.answers()).containsExactly("one", "two");
        assertThat(afterOne.end()).isEmpty();
    }

    @Test
    void shouldFollowSendOrderNotSeqOrder() {
        replies.expect(9);
        replies.expect(3);

        replies.complete(3, "three");
        replies.complete(9, "nine");

        assertThat(replies.drain().answers()).containsExactly("nine", "three");
    }

    @Test
    void shouldEndOnlyAfterEarlierChunksAreAnswered() {
        // given two chunks in flight and then a bad chunk
        replies.expect(1);
        replies.expect(2);
        replies.endAfterPending(Status.INVALID_ARGUMENT.withDescription("bad"));
        replies.complete(2, "two");

        // when the first is not yet answered, nothing goes out
        assertThat(replies.drain().answers()).isEmpty();

        // then once it is, both answers go out before the end
        replies.complete(1, "one");
        OrderedReplies.Release<String> release = replies.drain();
        assertThat(release.answers()).containsExactly("one", "two");
        assertThat(release.end()).map(Status::getDescription).contains("bad");
        assertThat(replies.drain()).isEqualTo(new OrderedReplies.Release<>(List.of(), Optional.empty()));
    }

    @Test
    void shouldEndAtFailedChunkAfterAnsweringEarlierOnes() {
        replies.expect(1);
        replies.expect(2);
        replies.expect(3);
        replies.complete(1, "one");
        replies.complete(3, "three");

        replies.fail(2, Status.DEADLINE_EXCEEDED);
        OrderedReplies.Release<String> release = replies.drain();

        assertThat(release.answers()).containsExactly("one");
        assertThat(release.end()).map(Status::getCode).contains(Status.Code.DEADLINE_EXCEEDED);
    }

    @Test
    void shouldCompleteNormallyWhenClientClosesWithNothingPending() {
        replies.expect(1);
        replies.complete(1, "one");
        assertThat(replies.drain().answers()).containsExactly("one");

        replies.endAfterPending(Status.OK);

        assertThat(replies.drain().end()).contains(Status.OK);
    }
}

package io.moestream.core.topics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class KnownReplyTopicsTest {
    private static final Topics TOPICS = Topics.DEFAULT;
    private static final String LIVE = TOPICS.replies("gw-1");
    private static final String NEW = TOPICS.replies("gw-2");
    private static final String GONE = TOPICS.replies("gone");

    /** A clock that moves only when told to, or when the class under test sleeps. */
    private static final class TestClock implements KnownReplyTopics.Clock {
        long now = 1_000_000;
        final List<Long> sleeps = new ArrayList<>();

        @Override
        public long millis() {
            return now;
        }

        @Override
        public void sleep(long millis) {
            sleeps.add(millis);
            now += millis;
        }
    }

    private final TestClock clock = new TestClock();
    private Set<String> onBroker = Set.of(LIVE, TOPICS.tokens());
    private int listings;
    private Exception failure;

    private final KnownReplyTopics replyTopics = new KnownReplyTopics(TOPICS, () -> {
        listings++;
        if (failure != null) {
            throw failure;
        }
        return onBroker;
    }, () -> { }, clock);

    @Test
    void shouldListOnceAndThenAnswerKnownTopicsFromTheCache() {
        assertThat(replyTopics.exists(LIVE, clock.now)).isTrue();
        assertThat(replyTopics.exists(LIVE, clock.now)).isTrue();

        assertThat(listings).isEqualTo(1);
    }

    @Test
    void shouldDeadLetterAMissingTopicWithoutListingAgainWhenTheLastListingBeganAfterTheRecordWasWritten() {
        long writtenAt = clock.now - 5_000;
        assertThat(replyTopics.exists(GONE, writtenAt)).isFalse();
        for (int i = 0; i < 1_000; i++) {
            clock.now += 1;
            assertThat(replyTopics.exists(GONE + i, writtenAt)).isFalse();
        }

        assertThat(listings).isEqualTo(1);
        assertThat(clock.sleeps).isEmpty();
    }

    @Test
    void shouldFindAGatewaysNewTopicWithTheFirstRecordThatNamesIt() {
        assertThat(replyTopics.exists(LIVE, clock.now)).isTrue();
        clock.now += 5_000;
        onBroker = Set.of(LIVE, NEW);

        assertThat(replyTopics.exists(NEW, clock.now - 10)).isTrue();
        assertThat(listings).isEqualTo(2);
        assertThat(clock.sleeps).isEmpty();
    }

    @Test
    void shouldWaitForTheNextAllowedListingWhenARecordWasWrittenAfterTheLastOne() {
        assertThat(replyTopics.exists(GONE, clock.now - 1)).isFalse();
        clock.now += 300;
        // the gateway created its topic after that listing began and wrote this record just now
        onBroker = Set.of(LIVE, NEW);

        assertThat(replyTopics.exists(NEW, clock.now)).isTrue();
        assertThat(clock.sleeps).containsExactly(KnownReplyTopics.MIN_LIST_INTERVAL_MS - 300);
        assertThat(listings).isEqualTo(2);
    }

    @Test
    void shouldListAtMostOnceASecondWhateverTheRecordsSay() {
        long start = clock.now;
        for (int i = 0; i < 20; i++) {
            // written in the future: no listing can ever have begun after it
            assertThat(replyTopics.exists(GONE + i, Long.MAX_VALUE)).isFalse();
        }

        assertThat(listings).isEqualTo(20);
        assertThat(clock.now - start).isEqualTo(19 * KnownReplyTopics.MIN_LIST_INTERVAL_MS);
    }

    @Test
    void shouldForgetATopicThatIsNoLongerListed() {
        assertThat(replyTopics.exists(NEW, clock.now - 1)).isFalse();
        onBroker = Set.of(NEW);
        clock.now += 2_000;
        assertThat(replyTopics.exists(NEW, clock.now - 1)).isTrue();
        clock.now += 2_000;
        onBroker = Set.of();

        assertThat(replyTopics.exists(GONE, clock.now - 1)).isFalse();
        assertThat(replyTopics.exists(NEW, clock.now - 2_000)).isFalse();
    }

    @Test
    void shouldAnswerExistsWhenTheTopicsCannotBeListed() {
        failure = new TimeoutException("broker unreachable");

        assertThat(replyTopics.exists(GONE, clock.now - 1)).isTrue();
        failure = null;
        assertThat(replyTopics.exists(GONE, clock.now - 1)).isFalse();
        assertThat(listings).isEqualTo(2);
    }

    @Test
    void shouldKeepOnlyReplyTopicsAndNameTheMissingOneInTheReason() {
        assertThat(replyTopics.exists(TOPICS.tokens(), clock.now - 1)).isFalse();
        assertThat(KnownReplyTopics.missing(GONE)).isEqualTo("reply topic 'moe.replies.gone' (header moe-reply-to) does not exist");
    }
}

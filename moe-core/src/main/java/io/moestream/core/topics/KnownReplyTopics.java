package io.moestream.core.topics;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.jboss.logging.Logger;

/**
 * The gateways' reply topics that exist on the broker. A producer's send to a topic that does not exist blocks for
 * {@code max.block.ms} (60 s) waiting for its metadata, and everything behind that record waits with it; so the
 * router and the experts look a record's reply topic up here first and dead-letter the record when it is missing.
 *
 * <p>A topic not in the cache is looked up again by listing the topics, at most once a second: a gateway's new topic is
 * found by its first chunk, while a flood of records naming missing topics costs at most one listing a second. A
 * listing that began after the record was written (its timestamp: the gateway's send time, which the router passes on
 * to the tasks) is the answer for that record, because a gateway creates its topic before it sends anything; only a
 * record written after the last listing waits (at most a second) for the next one. When no listing succeeds the
 * answer is "exists": the record is sent as before, and the producer reports what is wrong.
 */
public final class KnownReplyTopics implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(KnownReplyTopics.class);
    static final long MIN_LIST_INTERVAL_MS = 1_000;
    private static final Duration LIST_TIMEOUT = Duration.ofSeconds(5);

    /** The names of the topics on the broker that this process's principal may describe. */
    @FunctionalInterface
    public interface Lister {
        Set<String> names() throws Exception;
    }

    /** Time and waiting, replaceable in a unit test. */
    interface Clock {
        long millis();

        void sleep(long millis) throws InterruptedException;
    }

    private static final Clock SYSTEM = new Clock() {
        @Override
        public long millis() {
            return System.currentTimeMillis();
        }

        @Override
        public void sleep(long millis) throws InterruptedException {
            Thread.sleep(millis);
        }
    };

    private final Topics topics;
    private final Lister lister;
    private final AutoCloseable connection;
    private final Clock clock;
    private volatile Set<String> known = Set.of();
    // guarded by this: when the last listing began, and when the last one that succeeded did
    private long attemptedAtMs;
    private long listedAtMs;
    private boolean listed;
    private boolean attempted;

    /** Reply topics of {@code topics} as {@code lister} names them. */
    public KnownReplyTopics(Topics topics, Lister lister) {
        this(topics, lister, () -> { }, SYSTEM);
    }

    KnownReplyTopics(Topics topics, Lister lister, AutoCloseable connection, Clock clock) {
        this.topics = topics;
        this.lister = lister;
        this.connection = connection;
        this.clock = clock;
    }

    /**
     * Reply topics listed by an admin client with the admin settings among {@code clientConfig} (bootstrap servers,
     * security): the same principal as the service's producer, which may describe the reply topics.
     */
    public static KnownReplyTopics connect(Map<String, ?> clientConfig, Topics topics) {
        Admin admin = Admin.create(ClientSettings.only(AdminClientConfig.configNames(), clientConfig));
        ListTopicsOptions options = new ListTopicsOptions().timeoutMs((int) LIST_TIMEOUT.toMillis());
        return new KnownReplyTopics(topics, () -> admin.listTopics(options).names()
                .get(LIST_TIMEOUT.toMillis() + 1_000, TimeUnit.MILLISECONDS), admin, SYSTEM);
    }

    /** The dead-letter reason of a record whose (well-formed) reply topic does not exist. */
    public static String missing(String replyTopic) {
        return "reply topic '" + replyTopic + "' (header " + Topics.REPLY_TO_HEADER + ") does not exist";
    }

    /**
     * Whether {@code replyTopic} exists for a record written at {@code writtenAtMs}. Returns at once for a known topic;
     * otherwise may list the topics (up to 5 s) after waiting up to a second for the next allowed listing. An
     * interrupted wait answers "exists", with the interrupt flag set again.
     */
    public boolean exists(String replyTopic, long writtenAtMs) {
        if (known.contains(replyTopic)) {
            return true;
        }
        synchronized (this) {
            if (known.contains(replyTopic)) {
                return true;
            }
            if (listed && listedAtMs > Math.min(writtenAtMs, clock.millis())) {
                return false;
            }
            try {
                long wait = attempted ? attemptedAtMs + MIN_LIST_INTERVAL_MS - clock.millis() : 0;
                if (wait > 0) {
                    clock.sleep(wait);
                }
                return !list() || known.contains(replyTopic);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return true;
            }
        }
    }

    /** Lists the reply topics; false when the listing failed (logged), which leaves the cache as it was. */
    private boolean list() throws InterruptedException {
        long start = clock.millis();
        attemptedAtMs = start;
        attempted = true;
        try {
            known = lister.names().stream().filter(topics::isReplyTopic).collect(Collectors.toUnmodifiableSet());
            listedAtMs = start;
            listed = true;
            return true;
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            LOG.warnf("cannot list the reply topics, so records naming an unknown one are sent unchecked: %s", e.toString());
            return false;
        }
    }

    @Override
    public void close() throws Exception {
        connection.close();
    }
}

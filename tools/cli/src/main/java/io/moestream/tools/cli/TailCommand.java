package io.moestream.tools.cli;

import io.moestream.core.topics.Topics;
import io.moestream.tools.replay.TimeBound;
import io.moestream.tools.tail.RecordLine;
import io.moestream.tools.tail.TopicTail;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code moe tail}: a pipeline topic's records decoded, one line each, for debugging. */
@Command(name = "tail", mixinStandardHelpOptions = true,
        description = "Print the records of any pipeline topic (moe.tokens, moe.L{l}.e{e}, moe.replies.*, moe.dlq,"
                + " moe.expert-load, moe.alerts) one line each: position, key, ids, tensor shapes and dtypes, experts,"
                + " headers. Joins no consumer group.")
public final class TailCommand implements Callable<Integer> {

    @Option(names = "--bootstrap", required = true, description = "Kafka cluster HOST:PORT.")
    String bootstrap;

    @Option(names = {"-t", "--topic"}, required = true, description = "The topic, e.g. moe.tokens or moe.L0.e3.")
    String topic;

    @Option(names = "--topic-prefix", defaultValue = "",
            description = "Topic prefix of the pipeline the topic belongs to (default none), to know its schema.")
    String topicPrefix;

    @Option(names = "--last", defaultValue = "20",
            description = "Start this many records before the end of each partition (default ${DEFAULT-VALUE}).")
    long last;

    @Option(names = "--since", description = "Start at this time instead: 15m, 1h, PT30M or an ISO instant.")
    String since;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new records until Ctrl-C.")
    boolean follow;

    @Override
    public Integer call() {
        if (last < 0) {
            throw new IllegalArgumentException("--last must be 0 or more, got " + last);
        }
        Instant from = since == null ? null : TimeBound.parse(since, Instant.now());
        Topics topics = new Topics(topicPrefix);
        long read = TopicTail.read(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), topic,
                new TopicTail.From(from, last), follow, record -> System.out.println(RecordLine.of(topics, record)));
        System.err.println(read + " record(s) of " + topic);
        return 0;
    }
}

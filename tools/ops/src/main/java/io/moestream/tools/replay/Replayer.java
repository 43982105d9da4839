package io.moestream.tools.replay;

import java.util.List;

/** Sends recorded records to the target in order, paced, with their headers rewritten. */
final class Replayer {
    private final TopicMapping topics;
    private final HeaderRewrite headers;
    private final Pacer pacer;

    Replayer(TopicMapping topics, HeaderRewrite headers, Pacer pacer) {
        this.topics = topics;
        this.headers = headers;
        this.pacer = pacer;
    }

    /** Replays {@code records} (in send order) into {@code sink}, then waits until all are acknowledged. */
    void replay(List<ReplayRecord> records, ReplaySink sink, ReplayProgress progress) throws InterruptedException {
        for (ReplayRecord r : records) {
            long lagNanos = pacer.awaitDue(r.timestamp());
            sink.send(topics.targetOf(r.topic()), r, headers.apply(r));
            progress.sent(r, lagNanos);
        }
        sink.flush();
    }
}

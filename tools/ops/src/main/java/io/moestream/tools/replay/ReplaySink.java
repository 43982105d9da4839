package io.moestream.tools.replay;

import java.util.List;
import org.apache.kafka.common.header.Header;

/** Where a replay sends its records. */
interface ReplaySink extends AutoCloseable {

    void send(String topic, ReplayRecord record, List<Header> headers);

    /** Returns once every record sent so far is acknowledged. */
    void flush();

    @Override
    void close();
}

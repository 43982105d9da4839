package io.moestream.expert.worker;

/** Where one expert worker stands, as the readiness check reports it. */
public enum WorkerState {
    /** Subscribed, waiting for its first partition assignment. */
    JOINING,
    /** In its consumer group (possibly with no partition, when replicas outnumber them), answering tasks. */
    SERVING,
    /** Stopped by an error it could not get past; the log has the cause. */
    FAILED,
    /** Stopped on shutdown. */
    STOPPED
}

package io.moestream.expert.task;

/** The outcome of decoding one task record: a task to compute, or the reason it goes to the dead-letter topic. */
public sealed interface DecodeResult {

    record Valid(DecodedTask task) implements DecodeResult {
    }

    record Invalid(String reason) implements DecodeResult {
    }
}

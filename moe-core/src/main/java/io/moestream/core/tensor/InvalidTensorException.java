package io.moestream.core.tensor;

/** A tensor payload that does not match what it declares or what the model expects; the message names the problem. */
public final class InvalidTensorException extends RuntimeException {
    public InvalidTensorException(String message) {
        super(message);
    }
}

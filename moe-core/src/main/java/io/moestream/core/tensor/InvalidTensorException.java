package io.moestream.core.tensor;

/** A tensor payload that does not match what it declares or what the model expects; the message names the problem. */
public final class InvalidTensorException extends RuntimeException {
    private final boolean nonFinite;

    public InvalidTensorException(String message) {
        this(message, false);
    }

    public InvalidTensorException(String message, boolean nonFinite) {
        super(message);
        this.nonFinite = nonFinite;
    }

    /** True when the tensor is well-formed and only its values are wrong: a NaN or an infinity. */
    public boolean nonFinite() {
        return nonFinite;
    }
}

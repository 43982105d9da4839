package io.moestream.gateway.validation;

import io.grpc.Status;

/** A chunk the gateway refuses; carries the status its stream ends with. */
public final class InvalidChunkException extends RuntimeException {
    private final transient Status status;

    public InvalidChunkException(Status.Code code, String message) {
        super(message);
        this.status = Status.fromCode(code).withDescription(message);
    }

    public Status status() {
        return status;
    }
}

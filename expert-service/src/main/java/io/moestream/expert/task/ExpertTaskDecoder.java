package io.moestream.expert.task;

import com.google.protobuf.InvalidProtocolBufferException;
import io.moestream.core.routing.GateWeighting;
import io.moestream.core.tensor.GateWeights;
import io.moestream.core.tensor.InvalidTensorException;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.tensor.TensorMessages;
import io.moestream.core.topics.Topics;
import io.moestream.core.topics.WireHeaders;
import io.moestream.core.placement.ExpertId;
import io.moestream.expert.task.DecodeResult.Invalid;
import io.moestream.expert.task.DecodeResult.Valid;
import io.moestream.proto.v1.ExpertTask;
import java.util.Optional;

/** Decodes and validates the task records of one expert's topic; every rejection names the problem. */
public final class ExpertTaskDecoder {
    private final Topics topics;
    private final ExpertId expert;
    private final int dModel;
    private final int maxRows;

    public ExpertTaskDecoder(Topics topics, ExpertId expert, int dModel, int maxRows) {
        this.topics = topics;
        this.expert = expert;
        this.dModel = dModel;
        this.maxRows = maxRows;
    }

    /**
     * @param value   the record value, a serialized {@link ExpertTask}; may be null (a tombstone)
     * @param replyTo the value of the record's reply-to header, or null when it is missing
     */
    public DecodeResult decode(byte[] value, String replyTo) {
        if (value == null) {
            return new Invalid("record has no value (expected an ExpertTask)");
        }
        Optional<String> replyToProblem = WireHeaders.replyToProblem(topics, replyTo);
        if (replyToProblem.isPresent()) {
            return new Invalid(replyToProblem.get());
        }
        ExpertTask task;
        try {
            task = ExpertTask.parseFrom(value);
        } catch (InvalidProtocolBufferException e) {
            return new Invalid("undecodable ExpertTask: " + e.getMessage());
        }
        if (task.getRequestId().isEmpty()) {
            return new Invalid("ExpertTask has no request_id");
        }
        if (task.getLayer() != expert.layer() || task.getExpert() != expert.expert()) {
            return new Invalid("task for expert " + Integer.toUnsignedString(task.getLayer()) + ":"
                    + Integer.toUnsignedString(task.getExpert()) + " arrived on the topic of expert " + expert);
        }
        if (!task.hasRows()) {
            return new Invalid("ExpertTask has no rows tensor");
        }
        Matrix rows;
        try {
            rows = TensorMessages.fromProto(task.getRows(), dModel, maxRows);
        } catch (InvalidTensorException e) {
            return new Invalid("invalid rows tensor: " + e.getMessage());
        }
        if (task.getRowIndexCount() != rows.rows()) {
            return new Invalid("row_index has " + task.getRowIndexCount() + " entries for " + rows.rows() + " rows");
        }
        float[] weights;
        try {
            weights = GateWeights.decode(task.getGateWeights(), rows.rows());
        } catch (InvalidTensorException e) {
            return new Invalid(e.getMessage());
        }
        GateWeighting weighting;
        switch (task.getGateWeightTarget()) {
            case GATE_WEIGHTS_ON_OUTPUT -> weighting = GateWeighting.OUTPUT;
            case GATE_WEIGHTS_ON_INPUT -> weighting = GateWeighting.INPUT;
            default -> {
                return new Invalid("gate_weight_target " + task.getGateWeightTargetValue()
                        + " is unknown (0: gate weights on the output, 1: on the input)");
            }
        }
        int[] rowIndex = task.getRowIndexList().stream().mapToInt(Integer::intValue).toArray();
        return new Valid(new DecodedTask(task.getRequestId(), task.getSeq(), expert.layer(), expert.expert(),
                rowIndex, weights, rows, replyTo, task.getRows().getDtype(), weighting));
    }
}

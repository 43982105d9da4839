package io.moestream.gateway.oip;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.tensor.TensorMessages;
import io.moestream.proto.oip.InferParameter;
import io.moestream.proto.oip.ModelInferResponse;
import io.moestream.proto.v1.DType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResponseEncoderTest {

    @Test
    void shouldAnswerTheOutputsInTheOrderAskedWithRawContentsAndTheRequestsIdAndParameters() {
        // given a decoded request that asked for expert_ids, then output
        Matrix x = new Matrix(1, 2, new float[] {1, 2});
        InferParameter tag = InferParameter.newBuilder().setStringParam("a").build();
        LayerRequest request = new LayerRequest("moe-layer-0", 0, "id-9", Map.of("tag", tag),
                new HiddenStates(x, TensorMessages.toProto(x, DType.FP32)),
                List.of(RequestedOutput.EXPERT_IDS, RequestedOutput.OUTPUT));
        OutputTensor ids =
                new OutputTensor("INT32", List.of(1L, 2L), ByteString.copyFrom(new byte[] {1, 0, 0, 0, 0, 0, 0, 0}));
        OutputTensor output = new OutputTensor("BF16", List.of(1L, 2L), ByteString.copyFrom(new byte[] {1, 2, 3, 4}));

        // when the response is built
        ModelInferResponse response = ResponseEncoder.encode(request,
                Map.of(RequestedOutput.OUTPUT, output, RequestedOutput.EXPERT_IDS, ids));

        // then
        assertThat(response.getModelName()).isEqualTo("moe-layer-0");
        assertThat(response.getModelVersion()).isEqualTo("1");
        assertThat(response.getId()).isEqualTo("id-9");
        assertThat(response.getParametersMap()).containsExactly(Map.entry("tag", tag));
        assertThat(response.getOutputsList()).extracting(ModelInferResponse.InferOutputTensor::getName)
                .containsExactly("expert_ids", "output");
        assertThat(response.getOutputs(1).getDatatype()).isEqualTo("BF16");
        assertThat(response.getOutputs(1).getShapeList()).containsExactly(1L, 2L);
        assertThat(response.getOutputs(1).hasContents()).isFalse();
        assertThat(response.getRawOutputContentsList()).containsExactly(ids.data(), output.data());
    }
}

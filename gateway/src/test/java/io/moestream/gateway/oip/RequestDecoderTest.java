package io.moestream.gateway.oip;

import static io.moestream.gateway.oip.OipRequests.D_MODEL;
import static io.moestream.core.tensor.TensorMessages.asSent;
import static io.moestream.gateway.oip.OipRequests.input;
import static io.moestream.gateway.oip.OipRequests.output;
import static io.moestream.gateway.oip.OipRequests.raw;
import static io.moestream.gateway.oip.OipRequests.typed;
import static io.moestream.gateway.support.Chunks.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.tensor.TensorMessages;
import io.moestream.proto.oip.InferParameter;
import io.moestream.proto.oip.InferTensorContents;
import io.moestream.proto.oip.ModelInferRequest;
import io.moestream.proto.v1.DType;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class RequestDecoderTest {
    private final RequestDecoder decoder = new RequestDecoder(new LayerModels(OipRequests.model()));

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FP32", "FP16", "BF16"})
    void shouldDecodeRawHiddenStatesOfEachFloatDatatype(DType dtype) {
        // given a raw request in dtype, with an id and a parameter
        Matrix x = random(3, D_MODEL, 1);
        InferParameter priority = InferParameter.newBuilder().setInt64Param(7).build();
        ModelInferRequest request = raw("moe-layer-2", x, dtype)
                .setId("req-1")
                .putParameters("priority", priority)
                .build();

        // when it is decoded
        LayerRequest decoded = decoder.decode(request);

        // then the values are those sent, the wire tensor keeps the client's bytes, and the rest passes through
        assertThat(decoded.layer()).isEqualTo(2);
        assertThat(decoded.hidden().values()).isEqualTo(asSent(x, dtype));
        assertThat(decoded.hidden().wire().getDtype()).isEqualTo(dtype);
        assertThat(decoded.hidden().wire().getData()).isEqualTo(request.getRawInputContents(0));
        assertThat(decoded.id()).isEqualTo("req-1");
        assertThat(decoded.parameters()).containsEntry("priority", priority);
        assertThat(decoded.modelName()).isEqualTo("moe-layer-2");
    }

    @Test
    void shouldDecodeTypedFp32Contents() {
        Matrix x = random(2, D_MODEL, 2);

        LayerRequest decoded = decoder.decode(typed("moe-layer-0", x).build());

        assertThat(decoded.hidden().values()).isEqualTo(x);
        assertThat(decoded.hidden().wire()).isEqualTo(TensorMessages.toProto(x, DType.FP32));
    }

    @Test
    void shouldReturnOnlyTheLayerOutputWhenNoOutputIsNamed() {
        LayerRequest decoded = decoder.decode(raw("moe-layer-0", random(1, D_MODEL, 3), DType.FP32).build());

        assertThat(decoded.outputs()).containsExactly(RequestedOutput.OUTPUT);
    }

    @Test
    void shouldKeepTheOrderOfTheNamedOutputs() {
        ModelInferRequest request = raw("moe-layer-0", random(1, D_MODEL, 3), DType.FP32)
                .addOutputs(output("expert_ids")).addOutputs(output("output")).addOutputs(output("router_logits"))
                .build();

        assertThat(decoder.decode(request).outputs()).containsExactly(
                RequestedOutput.EXPERT_IDS, RequestedOutput.OUTPUT, RequestedOutput.ROUTER_LOGITS);
    }

    @Test
    void shouldAcceptVersionOneOrNoVersion() {
        Matrix x = random(1, D_MODEL, 4);

        assertThat(decoder.decode(raw("moe-layer-0", x, DType.FP32).setModelVersion("1").build()).layer()).isZero();
        assertThat(decoder.decode(raw("moe-layer-0", x, DType.FP32).setModelVersion("").build()).layer()).isZero();
    }

    static Stream<Arguments> unknownModels() {
        Matrix x = random(1, D_MODEL, 5);
        return Stream.of(
                Arguments.of(raw("gpt", x, DType.FP32),
                        "model 'gpt' is not served here; models: moe-layer-0, moe-layer-2"),
                Arguments.of(raw("moe-layer-1", x, DType.FP32), "model 'moe-layer-1' is not served here"),
                Arguments.of(raw("moe-layer-0", x, DType.FP32).setModelVersion("2"),
                        "model 'moe-layer-0' has no version '2'; versions: 1"));
    }

    @ParameterizedTest
    @MethodSource("unknownModels")
    void shouldAnswerNotFoundForAnUnknownModelOrVersion(ModelInferRequest.Builder request, String message) {
        StatusRuntimeException e =
                catchThrowableOfType(StatusRuntimeException.class, () -> decoder.decode(request.build()));

        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(e.getStatus().getDescription()).contains(message);
    }

    static Stream<Arguments> badRequests() {
        Matrix x = random(2, D_MODEL, 6);
        Matrix withNaN = random(2, D_MODEL, 7);
        withNaN.data()[D_MODEL + 2] = Float.NaN;
        Matrix withInf = random(2, D_MODEL, 8);
        withInf.data()[1] = Float.POSITIVE_INFINITY;
        ByteString bytes = TensorMessages.toProto(x, DType.FP32).getData();
        return Stream.of(
                Arguments.of("no input", ModelInferRequest.newBuilder().setModelName("moe-layer-0"),
                        "input hidden_states is missing"),
                Arguments.of("unknown input", raw("moe-layer-0", x, DType.FP32).setInputs(0, input("FP32", 2, D_MODEL)
                        .setName("x")), "unknown input 'x'; model 'moe-layer-0' takes one input, hidden_states"),
                Arguments.of("input twice", raw("moe-layer-0", x, DType.FP32).addInputs(input("FP32", 2, D_MODEL))
                        .addRawInputContents(bytes), "input hidden_states is given 2 times"),
                Arguments.of("two raw contents", raw("moe-layer-0", x, DType.FP32).addRawInputContents(bytes),
                        "raw_input_contents has 2 entries for 1 input"),
                Arguments.of("unknown datatype",
                        raw("moe-layer-0", x, DType.FP32).setInputs(0, input("INT8", 2, D_MODEL)),
                        "input hidden_states has datatype 'INT8'; accepted: FP32, FP16, BF16"),
                Arguments.of("1-D shape", raw("moe-layer-0", x, DType.FP32).setInputs(0, input("FP32", 2 * D_MODEL)),
                        "input hidden_states has shape [8]; the model takes [-1, 4] (rows >= 1)"),
                Arguments.of("wrong d_model", raw("moe-layer-0", x, DType.FP32).setInputs(0, input("FP32", 4, 2)),
                        "input hidden_states has shape [4, 2]; the model takes [-1, 4]"),
                Arguments.of("no rows", raw("moe-layer-0", x, DType.FP32).setInputs(0, input("FP32", 0, D_MODEL)),
                        "has shape [0, 4]"),
                Arguments.of("shape larger than the bytes", raw("moe-layer-0", x, DType.FP32)
                        .setInputs(0, input("FP32", 3, D_MODEL)),
                        "input hidden_states of shape [3, 4] and datatype FP32 needs 48 bytes;"
                                + " raw_input_contents[0] has 32"),
                Arguments.of("FP16 bytes declared FP32", raw("moe-layer-0", x, DType.FP16)
                        .setInputs(0, input("FP32", 2, D_MODEL)), "needs 32 bytes; raw_input_contents[0] has 16"),
                Arguments.of("typed values too few", typed("moe-layer-0", x).setInputs(0, input("FP32", 3, D_MODEL)
                        .setContents(typed("moe-layer-0", x).getInputs(0).getContents())),
                        "input hidden_states of shape [3, 4] needs 12 values in contents.fp32_contents; it has 8"),
                Arguments.of("typed FP16", typed("moe-layer-0", x).setInputs(0, input("FP16", 2, D_MODEL)
                        .setContents(typed("moe-layer-0", x).getInputs(0).getContents())),
                        "input hidden_states of datatype FP16 must come in raw_input_contents"),
                Arguments.of("typed values in another field", ModelInferRequest.newBuilder().setModelName("moe-layer-0")
                        .addInputs(input("FP32", 1, D_MODEL).setContents(InferTensorContents.newBuilder()
                                .addAllIntContents(List.of(1, 2, 3, 4)))),
                        "input hidden_states is FP32 but carries int_contents"),
                Arguments.of("raw and typed", raw("moe-layer-0", x, DType.FP32).setInputs(0, input("FP32", 2, D_MODEL)
                        .setContents(typed("moe-layer-0", x).getInputs(0).getContents())),
                        "input hidden_states has values both in contents and in raw_input_contents"),
                Arguments.of("NaN, raw", raw("moe-layer-0", withNaN, DType.FP32),
                        "input hidden_states: row 1 column 2 is NaN"),
                Arguments.of("infinity, typed", typed("moe-layer-0", withInf),
                        "input hidden_states: row 0 column 1 is Infinity"),
                Arguments.of("unknown output", raw("moe-layer-0", x, DType.FP32).addOutputs(output("logits")),
                        "unknown output 'logits'; model outputs: output, router_logits, expert_ids"),
                Arguments.of("output twice", raw("moe-layer-0", x, DType.FP32).addOutputs(output("output"))
                        .addOutputs(output("output")), "output 'output' is requested twice"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void shouldRejectABadRequestNamingTheProblem(String problem, ModelInferRequest.Builder request, String message) {
        StatusRuntimeException e =
                catchThrowableOfType(StatusRuntimeException.class, () -> decoder.decode(request.build()));

        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(e.getStatus().getDescription()).contains(message);
    }
}

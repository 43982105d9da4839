package io.moestream.gateway.it;

import static io.moestream.gateway.support.Chunks.random;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import io.moestream.core.layer.ReferenceMoeLayer;
import io.moestream.core.model.MoeModel;
import io.moestream.core.routing.Routing;
import io.moestream.core.tensor.ErrorStats;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.tensor.TensorCodec;
import io.moestream.core.tensor.TensorMessages;
import io.moestream.proto.oip.GRPCInferenceServiceGrpc;
import io.moestream.proto.oip.ModelInferRequest;
import io.moestream.proto.oip.ModelInferRequest.InferInputTensor;
import io.moestream.proto.oip.ModelInferRequest.InferRequestedOutputTensor;
import io.moestream.proto.oip.ModelInferResponse;
import io.moestream.proto.v1.DType;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged gateway's Open Inference Protocol service, gRPC health and reflection, over loopback against a real
 * broker; the test plays router and experts and compares with the in-process reference layer.
 */
@QuarkusIntegrationTest
@WithTestResource(KafkaBrokerResource.class)
class OipGatewayIT {
    private static final int D_MODEL = KafkaBrokerResource.MODEL.dModel();
    private static final long WAIT_SECONDS = 30;

    PipelineEnv env;

    private MoeModel model;
    private ReferencePipeline pipeline;
    private ManagedChannel channel;

    @BeforeEach
    void connect() {
        model = MoeModel.open(env.modelDir());
        pipeline = new ReferencePipeline(env, model);
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", env.grpcPort()).usePlaintext().build();
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        pipeline.close();
        model.close();
    }

    @Test
    void shouldReportServingOnGrpcHealth() {
        HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel)
                .withDeadlineAfter(WAIT_SECONDS, TimeUnit.SECONDS);

        assertThat(health.check(HealthCheckRequest.newBuilder().setService("").build()).getStatus())
                .isEqualTo(ServingStatus.SERVING);
        assertThat(health.check(HealthCheckRequest.newBuilder().setService("inference.GRPCInferenceService").build())
                .getStatus()).isEqualTo(ServingStatus.SERVING);
    }

    @Test
    void shouldDescribeTheOipServiceThroughReflection() throws Exception {
        // when a reflection client lists the services and asks for the file that defines the OIP service
        List<ServerReflectionResponse> answers = reflect(
                ServerReflectionRequest.newBuilder().setListServices("").build(),
                ServerReflectionRequest.newBuilder().setFileContainingSymbol("inference.GRPCInferenceService").build());

        // then both gateway services are listed, and the OIP file comes back
        assertThat(answers.get(0).getListServicesResponse().getServiceList()).extracting(ServiceResponse::getName)
                .contains("inference.GRPCInferenceService", "moe.v1.MoeGateway");
        FileDescriptorProto file = FileDescriptorProto.parseFrom(
                answers.get(1).getFileDescriptorResponse().getFileDescriptorProto(0));
        assertThat(file.getPackage()).isEqualTo("inference");
        assertThat(file.getService(0).getMethodList()).extracting(MethodDescriptorProto::getName)
                .contains("ModelInfer", "ModelStreamInfer");
    }

    @Test
    void shouldAnswerModelInferWithTheReferenceLayerOutputAndTheRoutersChoice() {
        // given 37 tokens for layer 1, asking for the output and the experts chosen
        Matrix x = random(37, D_MODEL, 11);
        ModelInferRequest request = ModelInferRequest.newBuilder()
                .setModelName("moe-layer-1")
                .setId("it-1")
                .addInputs(InferInputTensor.newBuilder().setName("hidden_states").setDatatype("FP32")
                        .addShape(37).addShape(D_MODEL))
                .addRawInputContents(TensorMessages.toProto(x, DType.FP32).getData())
                .addOutputs(InferRequestedOutputTensor.newBuilder().setName("output"))
                .addOutputs(InferRequestedOutputTensor.newBuilder().setName("expert_ids"))
                .build();

        // when it is sent with a plain OIP stub
        ModelInferResponse response = GRPCInferenceServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(WAIT_SECONDS, TimeUnit.SECONDS).modelInfer(request);

        // then the output is the reference layer's and the experts are those the layer's router picks
        Matrix y = new Matrix(37, D_MODEL, TensorCodec.decode(response.getRawOutputContents(0).asReadOnlyByteBuffer(),
                DType.FP32, 37 * D_MODEL));
        try (ReferenceMoeLayer reference = new ReferenceMoeLayer(model, 1)) {
            assertThat(ErrorStats.compare(y, reference.forward(x)).maxRelError()).isLessThan(1e-4);
        }
        Routing routing = model.router(1).route(x).topK();
        ByteBuffer ids = response.getRawOutputContents(1).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        for (int expert : routing.experts()) {
            assertThat(ids.getInt()).isEqualTo(expert);
        }
        assertThat(response.getId()).isEqualTo("it-1");
        assertThat(response.getOutputs(1).getShapeList()).containsExactly(37L, (long) KafkaBrokerResource.MODEL.topK());
    }

    private List<ServerReflectionResponse> reflect(ServerReflectionRequest... requests) throws Exception {
        List<ServerReflectionResponse> answers = new ArrayList<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        StreamObserver<ServerReflectionRequest> call = ServerReflectionGrpc.newStub(channel).serverReflectionInfo(
                new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse response) {
                        answers.add(response);
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        done.complete(null);
                    }
                });
        for (ServerReflectionRequest request : requests) {
            call.onNext(request);
        }
        call.onCompleted();
        done.get(WAIT_SECONDS, TimeUnit.SECONDS);
        return answers;
    }
}

# The expert service in JVM mode, from the Quarkus build of expert-service (run `mvn -B package -DskipTests` first).
# Build from the repository root:
#   docker build -f k8s/docker/expert.Dockerfile -t moe-stream/expert-service:0.1.0 .
#   docker build -f k8s/docker/expert.Dockerfile --build-arg VARIANT=cuda -t moe-stream/expert-service:0.1.0-cuda .
# VARIANT=cuda starts from NVIDIA's CUDA runtime image (with Java added) for GPU nodes. The service computes on the
# CPU (OpenBLAS, shipped in its jars) in both variants today: the CUDA variant only provides the runtime that a GPU
# kernel will need. No model weights go into the image: the pods mount them at /models (see k8s/README.md).
ARG VARIANT=cpu
ARG CUDA_IMAGE=nvcr.io/nvidia/cuda:12.6.3-runtime-ubi9

FROM registry.access.redhat.com/ubi9/openjdk-17-runtime:1.21 AS cpu

FROM ${CUDA_IMAGE} AS cuda
USER root
RUN dnf install -y --setopt=install_weak_deps=False java-17-openjdk-headless && dnf clean all \
    && mkdir -p /deployments && chown 185 /deployments

FROM ${VARIANT}
WORKDIR /deployments
COPY --chown=185 expert-service/target/quarkus-app/lib/ /deployments/lib/
COPY --chown=185 expert-service/target/quarkus-app/*.jar /deployments/
COPY --chown=185 expert-service/target/quarkus-app/app/ /deployments/app/
COPY --chown=185 expert-service/target/quarkus-app/quarkus/ /deployments/quarkus/
USER 185
EXPOSE 8080
# A plain java command in both variants (the CUDA image has no run-java.sh); JAVA_OPTS_APPEND carries
# -Dmoe.blas.threads and anything else. The JVM sizes its heap from the container's memory limit.
ENTRYPOINT ["/bin/sh", "-c", "exec java -XX:MaxRAMPercentage=50 $JAVA_OPTS_APPEND -jar /deployments/quarkus-run.jar"]

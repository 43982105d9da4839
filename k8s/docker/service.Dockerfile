# The gateway or the router in JVM mode, from the Quarkus build of its module (run `mvn -B package -DskipTests`
# first). Build from the repository root:
#   docker build -f k8s/docker/service.Dockerfile --build-arg MODULE=gateway -t moe-stream/gateway:0.1.0 .
#   docker build -f k8s/docker/service.Dockerfile --build-arg MODULE=router-service -t moe-stream/router-service:0.1.0 .
# No model weights go into the image: the pods mount them at /models (see k8s/README.md).
FROM registry.access.redhat.com/ubi9/openjdk-17-runtime:1.21
ARG MODULE
WORKDIR /deployments
COPY --chown=185 ${MODULE}/target/quarkus-app/lib/ /deployments/lib/
COPY --chown=185 ${MODULE}/target/quarkus-app/*.jar /deployments/
COPY --chown=185 ${MODULE}/target/quarkus-app/app/ /deployments/app/
COPY --chown=185 ${MODULE}/target/quarkus-app/quarkus/ /deployments/quarkus/
USER 185
EXPOSE 8080 9000
ENV JAVA_APP_JAR=/deployments/quarkus-run.jar
# The image's run-java.sh sizes the heap from the container's memory limit and appends $JAVA_OPTS_APPEND.
ENTRYPOINT ["/opt/jboss/container/java/run/run-java.sh"]

package io.moestream.tools.cli;

import io.moestream.core.model.LayerSelection;
import io.moestream.core.placement.PlacementPlan;
import io.moestream.core.placement.PlanFile;
import io.moestream.core.topics.Topics;
import io.moestream.tools.monitoring.MonitoringOptions;
import io.moestream.tools.stack.ChildProcess;
import io.moestream.tools.stack.LocalStack;
import io.moestream.tools.stack.MoeHome;
import io.moestream.tools.stack.RestartPolicy;
import io.moestream.tools.stack.ServiceStartFailure;
import io.moestream.tools.stack.StackOptions;
import io.moestream.tools.stack.Supervisor;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code moe up}: the whole stack on this machine until Ctrl-C or SIGTERM. */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Start the broker (unless --bootstrap), router, expert service(s) and gateway; "
                + "print a READY line; stop everything on Ctrl-C.")
public final class UpCommand implements Callable<Integer> {
    /** How often the stack's processes and the placement file are looked at: a crash costs at most this much more. */
    private static final long WATCH_EVERY_MS = 200;
    /** How long a stop before READY waits for the starting thread to delete the stack's working directory. */
    private static final long STARTING_CLEANUP_WAIT_S = 10;

    @Option(names = "--model", required = true, description = "Model directory in Hugging Face layout.")
    Path model;

    @Option(names = "--gateway-port", defaultValue = "9000", description = "Gateway gRPC port, 0 for any free one (default ${DEFAULT-VALUE}).")
    int gatewayPort;

    @Option(names = "--bootstrap", description = "Use this Kafka cluster instead of starting the embedded broker.")
    String bootstrap;

    @Option(names = "--brokers", defaultValue = "1", paramLabel = "N", description = "Embedded Kafka brokers, run as one"
            + " KRaft cluster: topics get min(N, 3) replicas, and from 3 on min.insync.replicas 2, so the stack survives"
            + " the loss of a broker (default ${DEFAULT-VALUE}).")
    int brokers;

    @Mixin
    PlacementFlags placement;

    @Mixin
    RoutingFlags routing;

    @Option(names = "--layers", defaultValue = LayerSelection.ALL,
            description = "MoE layers to serve: all, or layers and ranges such as 0,5-7 (default ${DEFAULT-VALUE}).")
    String layers;

    @Option(names = "--topic-prefix", defaultValue = "",
            description = "Prefix of every topic (e.g. shadow.): a second pipeline on the same cluster, for ./moe replay.")
    String topicPrefix;

    @Option(names = "--wire-dtype", defaultValue = "fp32",
            description = "Element type of the expert tasks and results on the topics: fp32 (exact), bf16 or fp16 (half"
                    + " the bytes; the router's moe.wire-dtype) (default ${DEFAULT-VALUE}).")
    String wireDtype;

    @Option(names = "--compute-dtype", defaultValue = "auto",
            description = "Precision the experts compute in: auto (the checkpoint's: a bf16 checkpoint on oneDNN's BF16"
                    + " kernel where the CPU has AMX or AVX512-BF16, else FP32), fp32 (today's FP32 kernel for any"
                    + " checkpoint) or bf16; the experts' moe.expert.compute-dtype (default ${DEFAULT-VALUE}).")
    String computeDtype;

    @Option(names = "--secure", description = "Run the embedded broker on SASL_SSL (SCRAM-SHA-512, TLS from a CA made"
            + " at start) with ACLs: one principal per service, as in the k8s manifests.")
    boolean secure;

    @Option(names = "--grpc-tls", description = "Serve gRPC on mutual TLS only, with a CA, gateway and client"
            + " certificates made at start (their paths are printed; give them to ./moe infer --tls-*).")
    boolean grpcTls;

    @Option(names = "--monitoring", description = "Also start Debian's prometheus (scraping every service, with the alert"
            + " rules of ./moe k8s) and prometheus-alertmanager on free loopback ports; their URLs follow READY.")
    boolean monitoring;

    @Mixin
    ServicePropertyFlags serviceProperties;

    @Option(names = "--alert-webhook", paramLabel = "URL", description = "With --monitoring: Alertmanager posts every"
            + " alert, firing and resolved, to this URL (its webhook receiver).")
    String alertWebhook;

    /** Where {@code up} is, for its shutdown hook. */
    private enum Phase { STARTING, STOPPED_STARTING, FAILED, UP }

    /** Applies the placement file's new plan; a plan that does not check out is refused and the running one kept. */
    private void replace(LocalStack stack) throws InterruptedException {
        System.out.println("placement file " + placement.file() + " changed: applying it");
        PlacementPlan next;
        try {
            next = PlanFile.read(placement.file());
            stack.applyPlacement(next, line -> System.out.println("  " + line));
        } catch (IllegalArgumentException e) {
            System.out.println("  placement refused, the running plan stays: " + e.getMessage());
        }
    }

    /** The stack these flags ask for. */
    StackOptions stackOptions() {
        if (alertWebhook != null && !monitoring) {
            throw new IllegalArgumentException("--alert-webhook is for the Alertmanager of --monitoring: add --monitoring");
        }
        return new StackOptions(model, bootstrap, gatewayPort, placement.source(), Map.of(), new Topics(topicPrefix))
                .withRouting(routing.toOptions())
                .withLayers(layers)
                .withWireDtype(wireDtype)
                .withComputeDtype(computeDtype)
                .withSecure(secure)
                .withGrpcMutualTls(grpcTls)
                .withBrokers(brokers)
                .withMonitoring(monitoring ? MonitoringOptions.on(alertWebhook) : MonitoringOptions.OFF)
                .withPropertiesOver(serviceProperties.properties());
    }

    @Override
    public Integer call() throws Exception {
        StackOptions options = stackOptions();
        // Ctrl-C or SIGTERM at any moment stops every process up started: once the stack is up, the stack stops them
        // (and says so); while it is still starting (brokers, services, experts loading), every child process started
        // so far is stopped, with one line, and the starting thread is interrupted so that it deletes the working
        // directory.
        AtomicReference<Phase> phase = new AtomicReference<>(Phase.STARTING);
        AtomicBoolean stopping = new AtomicBoolean();
        AtomicReference<LocalStack> up = new AtomicReference<>();
        AtomicReference<Path> workDir = new AtomicReference<>();
        CountDownLatch startEnded = new CountDownLatch(1);
        Thread starter = Thread.currentThread();
        Thread stopper = new Thread(() -> {
            stopping.set(true);
            if (phase.compareAndSet(Phase.STARTING, Phase.STOPPED_STARTING)) {
                System.out.println("stopping the stack before it was ready: "
                        + String.join(", ", ChildProcess.running()));
                ChildProcess.stopAll();
                starter.interrupt();
                try {
                    startEnded.await(STARTING_CLEANUP_WAIT_S, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                // the start completed just before the signal: its processes are stopped, its directory goes
                Optional.ofNullable(up.get()).ifPresent(LocalStack::close);
                // or it still waits on a Kafka call (an admin client closing waits for its calls to time out)
                try {
                    Optional.ofNullable(workDir.get()).ifPresent(LocalStack::deleteRecursively);
                } catch (RuntimeException raced) {
                    // the starting thread deleted it meanwhile
                }
            } else if (phase.get() == Phase.UP) {
                System.out.println("stopping the stack");
                up.get().close();
                // a restart that raced with close() is refused or stopped here
                ChildProcess.stopAll();
                System.out.println("stopped");
            }
            // FAILED: the failed start stopped what it had started and said why
        }, "moe-up-stop");
        Runtime.getRuntime().addShutdownHook(stopper);
        LocalStack stack;
        try {
            stack = LocalStack.start(MoeHome.locate(), options, line -> System.out.println("  " + line), workDir::set);
            up.set(stack);
        } catch (Exception | Error e) {
            if (!phase.compareAndSet(Phase.STARTING, Phase.FAILED)) {
                // stopped by Ctrl-C or SIGTERM while starting: what failed was stopped on purpose
                return 1;
            }
            if (e instanceof ServiceStartFailure) {
                // a service that cannot start is not restarted in a loop: the first failure stops up, in its own words
                System.err.println("moe up: " + e.getMessage());
                return 1;
            }
            throw e;
        } finally {
            startEnded.countDown();
        }
        if (!phase.compareAndSet(Phase.STARTING, Phase.UP)) {
            // Ctrl-C or SIGTERM came as the start completed: the shutdown hook stops the stack
            return 1;
        }
        System.out.println("READY gateway=" + stack.gatewayAddress() + " bootstrap=" + stack.bootstrapServers()
                + " logs=" + stack.logDir() + stack.monitoring().map(m -> " prometheus=" + m.prometheusUrl()
                + " alertmanager=" + m.alertmanagerUrl()).orElse(""));
        System.out.flush();
        // Watch the children: a broker or service that crashed is restarted (the work waits in Kafka); a crash loop,
        // the only broker's death or a monitoring process's exit stops it all, saying which one and why. Watch the
        // placement file too: saving a new plan into it rolls the plan out. Both on this thread, never at once.
        Supervisor supervisor = new Supervisor(stack, RestartPolicy.DEFAULT, line -> System.out.println(line));
        PlanFileWatch watch = new PlanFileWatch(placement.file());
        while (true) {
            if (stopping.get()) {
                // Ctrl-C or SIGTERM: the shutdown hook is stopping the processes on purpose
                return 0;
            }
            Optional<String> fatal = supervisor.check();
            Optional<ChildProcess> monitor = stack.monitoring().flatMap(m -> m.processes().stream()
                    .filter(ChildProcess::crashed).findFirst());
            if (stopping.get()) {
                return 0;
            }
            if (fatal.isPresent()) {
                System.err.println(fatal.get());
                return 1;
            }
            if (monitor.isPresent()) {
                System.err.println(monitor.get().name() + " exited unexpectedly:\n" + monitor.get().logTail(30));
                return 1;
            }
            if (watch.changed()) {
                replace(stack);
            }
            Thread.sleep(WATCH_EVERY_MS);
        }
    }
}

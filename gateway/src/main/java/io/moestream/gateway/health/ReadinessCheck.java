package io.moestream.gateway.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** {@code /q/health/ready}: UP once {@link GatewayReadiness} says the gateway can serve. */
@Readiness
@ApplicationScoped
public class ReadinessCheck implements HealthCheck {
    private final GatewayReadiness readiness;

    @Inject
    public ReadinessCheck(GatewayReadiness readiness) {
        this.readiness = readiness;
    }

    @Override
    public HealthCheckResponse call() {
        GatewayReadiness.Report report = readiness.check();
        return HealthCheckResponse.named("gateway").status(report.up()).withData("detail", report.detail()).build();
    }
}

package io.moestream.expert.worker;

import io.micrometer.core.instrument.config.MeterFilter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Keeps the Kafka clients' per-topic and per-partition meters off {@code /q/metrics}: a group of 1,024 experts would
 * otherwise export some 60,000 series (5 MB a scrape) and keep as many meters alive. The client-wide ones stay
 * ({@code kafka_consumer_fetch_manager_records_lag_max}, fetch and request rates); the per-expert view is the
 * service's own {@code moe_expert_*} meters, and the groups' lag is read from the broker (router, KEDA).
 */
final class PartitionMeterFilter {
    private PartitionMeterFilter() {
    }

    @Produces
    @Singleton
    static MeterFilter withoutKafkaPartitionMeters() {
        return MeterFilter.deny(id -> id.getName().startsWith("kafka.")
                && (id.getTag("partition") != null || id.getTag("topic") != null));
    }
}

package io.moestream.tools.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ServiceStartFailureTest {

    @Test
    void theServicesOwnErrorLineLeadsTheMessage() {
        List<String> log = List.of(
                "2026-12-06 07:50:01,000 INFO  [io.quarkus] starting",
                "2026-12-06 07:50:02,000 ERROR [io.quarkus.runtime.Application] Port 9000 seems to be in use by another process.",
                "2026-12-06 07:50:02,100 INFO  [io.quarkus] stopped");

        assertThat(ServiceStartFailure.errorLine(log))
                .isEqualTo("2026-12-06 07:50:02,000 ERROR [io.quarkus.runtime.Application] Port 9000 seems to be in use by another process.");
    }

    @Test
    void anUncaughtExceptionCountsAsTheErrorAndALogWithoutOneGivesItsLastLine() {
        assertThat(ServiceStartFailure.errorLine(List.of("a", "java.lang.IllegalStateException: no model", "\tat x")))
                .isEqualTo("java.lang.IllegalStateException: no model");
        assertThat(ServiceStartFailure.errorLine(List.of("one", "two"))).isEqualTo("two");
        assertThat(ServiceStartFailure.errorLine(List.of())).isEqualTo("(its log is empty)");
    }
}

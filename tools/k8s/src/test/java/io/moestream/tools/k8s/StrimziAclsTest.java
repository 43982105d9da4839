package io.moestream.tools.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.moestream.core.topics.Topics;
import io.moestream.tools.stack.ServiceAcls;
import org.junit.jupiter.api.Test;

class StrimziAclsTest {

    @Test
    void shouldWriteOneEntryPerResourceWithItsOperationsInOrder() throws Exception {
        // given a KafkaUser without ACLs
        ObjectNode user = (ObjectNode) new ObjectMapper().readTree(
                "{\"spec\": {\"authorization\": {\"type\": \"simple\", \"acls\": []}}}");

        // when it gets the router's
        StrimziAcls.grant(user, ServiceAcls.router("moe-router", new Topics("blue.")));

        // then each resource is one entry, named and typed as Strimzi spells them
        assertThat(user.path("spec").path("authorization").path("acls").get(2).toString()).isEqualTo(
                "{\"resource\":{\"type\":\"topic\",\"name\":\"blue.moe-router-\",\"patternType\":\"prefix\"},"
                        + "\"operations\":[\"Create\",\"Read\",\"Write\",\"Describe\",\"DescribeConfigs\"]}");
        assertThat(user.path("spec").path("authorization").path("acls")).hasSize(9);
        assertThat(user.path("spec").path("authorization").path("type").asText()).isEqualTo("simple");
    }
}

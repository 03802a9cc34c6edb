package io.recurate.embedded.broker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.RepeatedTest;

class ClusterIdTest {

    @RepeatedTest(500)
    void clusterIdsAre22Base64UrlCharactersNeverStartingWithADash() {
        String id = EmbeddedBroker.clusterId();
        assertThat(id).hasSize(22).matches("[A-Za-z0-9_][A-Za-z0-9_-]{21}");
    }
}

package io.recurate.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.recurate.schemas.Document;
import io.recurate.schemas.ScoredDocument;
import org.junit.jupiter.api.Test;

class TopicPlanTest {
    private final TopicPlan plan = new TopicPlan("exp1", 12, (short) 3);

    @Test
    void namesFollowTheDesignTable() {
        assertThat(plan.ingest().name()).isEqualTo("exp1.docs.ingest");
        assertThat(plan.kept(3).name()).isEqualTo("exp1.pass.3.kept");
        assertThat(plan.removed(3).name()).isEqualTo("exp1.pass.3.removed");
        assertThat(plan.progress(3).name()).isEqualTo("exp1.pass.3.progress");
        assertThat(plan.annotations().name()).isEqualTo("exp1.annotations");
        assertThat(plan.models().name()).isEqualTo("exp1.models");
        assertThat(plan.passes().name()).isEqualTo("exp1.passes");
        assertThat(plan.dlq().name()).isEqualTo("exp1.dlq");
        assertThat(plan.schemas().name()).isEqualTo("_schemas");
    }

    @Test
    void documentTopicsKeepEverythingAndAcceptLargeDocuments() {
        TopicSpec ingest = plan.ingest();
        assertThat(ingest.partitions()).isEqualTo(12);
        assertThat(ingest.replication()).isEqualTo((short) 3);
        assertThat(ingest.configs()).containsEntry("retention.ms", "-1").containsEntry("cleanup.policy", "delete")
                .containsEntry("max.message.bytes", Integer.toString(64 * 1024 * 1024))
                .containsEntry("min.insync.replicas", "2");
        assertThat(ingest.valueSchema()).isEqualTo(Document.getClassSchema());
        assertThat(plan.kept(1).valueSchema()).isEqualTo(ScoredDocument.getClassSchema());
        assertThat(plan.dlq().valueSchema()).isNull();
    }

    @Test
    void stateTopicsAreCompactedWithOnePartitionForOrder() {
        for (TopicSpec spec : new TopicSpec[] {plan.models(), plan.passes(), plan.schemas(), plan.progress(4)}) {
            assertThat(spec.configs()).as(spec.name()).containsEntry("cleanup.policy", "compact");
            assertThat(spec.partitions()).as(spec.name()).isEqualTo(1);
        }
    }

    @Test
    void singleReplicaTopicsNeedOnlyOneInSyncReplica() {
        assertThat(TopicPlan.defaults().ingest().configs()).containsEntry("min.insync.replicas", "1");
    }

    @Test
    void passTopicsAreRecognisedByNumber() {
        assertThat(plan.passOf("exp1.pass.17.kept")).isEqualTo(17);
        assertThat(plan.passOf("exp1.pass.2.removed")).isEqualTo(2);
        assertThat(plan.passOf("exp2.pass.2.removed")).isEqualTo(-1);
        assertThat(plan.passOf("exp1.docs.ingest")).isEqualTo(-1);
    }

    @Test
    void unusableNamespacesAndPassNumbersAreRefused() {
        assertThatThrownBy(() -> new TopicPlan("my ns", 1, (short) 1)).hasMessageContaining("my ns");
        assertThatThrownBy(() -> new TopicPlan("ns/x", 1, (short) 1)).hasMessageContaining("a-z");
        assertThatThrownBy(() -> plan.kept(0)).hasMessageContaining("from 1");
    }
}

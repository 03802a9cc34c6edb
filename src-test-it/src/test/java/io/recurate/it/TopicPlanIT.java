package io.recurate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.recurate.topics.Drift;
import io.recurate.topics.TopicAdmin;
import io.recurate.topics.TopicDriftException;
import io.recurate.topics.TopicPlan;
import io.recurate.topics.TopicSpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(ClusterExtension.class)
class TopicPlanIT {

    @Test
    void creatingTheTopicPlanTwiceChangesNothingTheSecondTime(TestCluster cluster) {
        TopicPlan plan = new TopicPlan(TestCluster.uniqueNamespace("idem"), 3, (short) 1);
        List<TopicSpec> specs = new ArrayList<>(plan.baseTopics());
        specs.addAll(plan.passTopics(1));
        try (TopicAdmin admin = new TopicAdmin(cluster.kafkaConfig())) {
            assertThat(admin.ensure(specs).values()).containsOnly(TopicAdmin.Outcome.CREATED);
            Map<String, Integer> ids = admin.registerSchemas(specs, cluster.registryClient());

            assertThat(admin.ensure(specs).values()).containsOnly(TopicAdmin.Outcome.ALREADY_MATCHING);
            assertThat(admin.registerSchemas(specs, cluster.registryClient())).isEqualTo(ids);
            assertThat(admin.verify(specs)).isEmpty();
            assertThat(admin.describe(specs).get(plan.models().name()).configs())
                    .containsEntry("cleanup.policy", "compact");
        }
    }

    @Test
    void aTopicWithOtherSettingsIsReportedNotUsed(TestCluster cluster) throws Exception {
        TopicPlan plan = new TopicPlan(TestCluster.uniqueNamespace("drift"), 3, (short) 1);
        try (Admin admin = Admin.create(cluster.kafkaConfig())) {
            // Someone created the passes topic by hand: not compacted, 2 partitions.
            admin.createTopics(List.of(new NewTopic(plan.passes().name(), 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        try (TopicAdmin topics = new TopicAdmin(cluster.kafkaConfig())) {
            topics.ensure(List.of(plan.ingest()));
            try (Admin admin = Admin.create(cluster.kafkaConfig())) {
                // ...and someone shortened the ingest topic's retention.
                Map<ConfigResource, Collection<AlterConfigOp>> change = Map.of(
                        new ConfigResource(ConfigResource.Type.TOPIC, plan.ingest().name()),
                        List.of(new AlterConfigOp(new ConfigEntry("retention.ms", "3600000"), AlterConfigOp.OpType.SET)));
                admin.incrementalAlterConfigs(change).all().get(30, TimeUnit.SECONDS);
                // ...and another chose a different min.insync.replicas for the DLQ: durability only.
                topics.ensure(List.of(plan.dlq()));
                admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, plan.dlq().name()),
                        List.of(new AlterConfigOp(new ConfigEntry("min.insync.replicas", "2"), AlterConfigOp.OpType.SET))))
                        .all().get(30, TimeUnit.SECONDS);
            }
            assertThat(topics.verify(List.of(plan.dlq()))).containsExactly(
                    new Drift(plan.dlq().name(), "min.insync.replicas", "1", "2"));
            assertThat(topics.ensure(List.of(plan.dlq())).values()).as("a durability difference is used as it is")
                    .containsOnly(TopicAdmin.Outcome.ALREADY_MATCHING);

            assertThatThrownBy(() -> topics.ensure(plan.baseTopics()))
                    .isInstanceOf(TopicDriftException.class)
                    .satisfies(e -> assertThat(((TopicDriftException) e).drifts()).containsExactlyInAnyOrder(
                            new Drift(plan.ingest().name(), "retention.ms", "-1", "3600000"),
                            new Drift(plan.passes().name(), "partitions", "1", "2"),
                            new Drift(plan.passes().name(), "cleanup.policy", "compact", "delete")))
                    .hasMessageContaining(plan.passes().name() + ": partitions is 2, the plan says 1: pass --partitions 2");
        }
    }

    @Test
    void passTopicsAreCreatedOnDemandAndDeletedPerPass(TestCluster cluster) {
        TopicPlan plan = new TopicPlan(TestCluster.uniqueNamespace("passes"), 2, (short) 1);
        try (TopicAdmin admin = new TopicAdmin(cluster.kafkaConfig())) {
            admin.ensure(plan.passTopics(1));
            admin.ensure(plan.passTopics(2));
            assertThat(admin.deleteTopics(plan.passTopics(1)))
                    .containsExactlyInAnyOrder(plan.kept(1).name(), plan.removed(1).name(), plan.progress(1).name());
            assertThat(admin.existingTopics()).doesNotContain(plan.kept(1).name(), plan.removed(1).name())
                    .contains(plan.kept(2).name(), plan.removed(2).name());
            assertThat(admin.deleteTopics(plan.passTopics(1))).isEmpty();
        }
    }
}

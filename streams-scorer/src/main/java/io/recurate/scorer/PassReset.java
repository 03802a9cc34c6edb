package io.recurate.scorer;

import io.recurate.topics.TopicAdmin;
import io.recurate.topics.TopicPlan;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.commons.io.file.PathUtils;

/**
 * Clears what an attempt at a pass (or at a variant of it) left, so that it is scored again from its source: the one
 * home of this job for the loop (a failed pass started again), {@code pass rerun} and the scorer (a state folder an
 * earlier attempt left).
 */
public final class PassReset {
    private PassReset() {
    }

    /**
     * Resets the pass's streams application (its committed offsets and changelogs; refused while a scorer still runs
     * it, so nothing is lost yet when it refuses) and deletes the pass's topics.
     */
    public static void inCluster(Map<String, Object> kafkaConfig, TopicPlan plan, int pass, String variant) {
        try (TopicAdmin admin = new TopicAdmin(kafkaConfig)) {
            admin.resetApplication(PassContext.applicationId(plan.namespace(), pass, variant));
            admin.deleteTopics(plan.passTopics(pass, variant));
        }
    }

    /** Deletes the local state an attempt left under {@code stateDir}; none is fine. */
    public static void localState(Path stateDir, String applicationId) {
        Path dir = stateDir.resolve(applicationId);
        if (!Files.isDirectory(dir)) {
            return;
        }
        try {
            PathUtils.deleteDirectory(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete the local state of " + applicationId + " in " + dir + ": "
                    + e.getMessage(), e);
        }
    }
}

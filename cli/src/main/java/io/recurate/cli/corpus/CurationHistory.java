package io.recurate.cli.corpus;

import io.recurate.topics.TopicScan;
import io.recurate.schemas.ModelVersion;
import io.recurate.schemas.PassState;
import io.recurate.schemas.PassStatus;
import io.recurate.topics.RecurateTopics;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** What the namespace's compacted topics say: the latest status of every pass, and every model version. */
public record CurationHistory(TreeMap<Integer, PassStatus> passes, List<ModelVersion> models) {

    public static CurationHistory load(Map<String, Object> kafkaConfig, RecurateTopics topics) {
        TreeMap<Integer, PassStatus> passes = new TreeMap<>();
        TopicScan.read(kafkaConfig, topics.passes().name(), topics.passes().valueSerde().deserializer(),
                (PassStatus s) -> passes.put(s.getPass(), s));
        Map<String, ModelVersion> models = new java.util.LinkedHashMap<>();
        TopicScan.read(kafkaConfig, topics.models().name(), topics.models().valueSerde().deserializer(),
                (ModelVersion v) -> models.put(v.getName() + ":" + v.getVersion(), v));
        List<ModelVersion> versions = new ArrayList<>(models.values());
        versions.sort(Comparator.comparing(ModelVersion::getCreatedAt));
        return new CurationHistory(passes, versions);
    }

    /** The pass, which must have been started. */
    public PassStatus pass(int pass) {
        PassStatus s = passes.get(pass);
        if (s == null) {
            throw new IllegalArgumentException("Pass " + pass + " was never started in this namespace"
                    + (passes.isEmpty() ? " (no passes yet)" : " (passes: " + passes.keySet() + ")"));
        }
        return s;
    }

    /** Passes whose scoring finished, in order. */
    public List<PassStatus> scoredPasses() {
        return passes.values().stream().filter(CurationHistory::isScored).toList();
    }

    /** The last pass whose scoring finished. */
    public Optional<Integer> lastScoredPass() {
        List<PassStatus> scored = scoredPasses();
        return scored.isEmpty() ? Optional.empty() : Optional.of(scored.get(scored.size() - 1).getPass());
    }

    /**
     * The pass a command works on: the one named, else the last whose scoring finished. Unless
     * {@code allowIncomplete}, a pass still scoring is refused: its topics are not complete.
     */
    public PassStatus chosenPass(Integer named, boolean allowIncomplete) {
        int n = named != null ? named : lastScoredPass().orElseThrow(() ->
                new IllegalArgumentException("No pass has finished scoring yet; name one with --pass N"));
        PassStatus status = pass(n);
        if (!isScored(status) && !allowIncomplete) {
            throw new IllegalArgumentException("Pass " + n + " is " + status.getState()
                    + ": its topics are not complete yet. Wait for it to finish scoring");
        }
        return status;
    }

    public static boolean isScored(PassStatus s) {
        return s.getState() == PassState.SCORED || s.getState() == PassState.TRAINED;
    }

    public Optional<ModelVersion> model(String name, String version) {
        return models.stream().filter(m -> m.getName().equals(name) && m.getVersion().equals(version)).findFirst();
    }
}

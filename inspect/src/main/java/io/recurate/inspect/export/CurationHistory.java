package io.recurate.inspect.export;

import io.recurate.ledger.ModelLedger;
import io.recurate.ledger.PassLedger;
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
        TreeMap<Integer, PassStatus> passes;
        List<ModelVersion> versions;
        try (PassLedger passLedger = new PassLedger(kafkaConfig, topics);
             ModelLedger modelLedger = new ModelLedger(kafkaConfig, topics)) {
            passes = passLedger.all();
            versions = new ArrayList<>(modelLedger.versions().values());
        }
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
        return chosenPass(named, allowIncomplete, "");
    }

    /** As {@link #chosenPass(Integer, boolean)}; {@code otherwise} ends the refusal (what else the command can do). */
    public PassStatus chosenPass(Integer named, boolean allowIncomplete, String otherwise) {
        int n = named != null ? named : lastScoredPass().orElseThrow(() ->
                new IllegalArgumentException("No pass has finished scoring yet; name one with --pass N"));
        PassStatus status = pass(n);
        if (!isScored(status) && !allowIncomplete) {
            throw new IllegalArgumentException("Pass " + n + " is " + status.getState()
                    + ": its topics are not complete yet. Wait for it to finish scoring" + otherwise);
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

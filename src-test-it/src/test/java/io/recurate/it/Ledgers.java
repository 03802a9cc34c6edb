package io.recurate.it;

import io.recurate.ledger.PassLedger;
import io.recurate.schemas.PassStatus;
import io.recurate.schemas.SourceMode;
import io.recurate.topics.RecurateTopics;
import java.util.Map;

/** One-off control-plane writes for tests: a ledger opened, used and closed. */
final class Ledgers {
    private Ledgers() {
    }

    static PassStatus start(Map<String, Object> kafka, RecurateTopics topics, int pass, SourceMode mode, String source,
                            String modelName, String modelVersion, float threshold) {
        try (PassLedger passes = new PassLedger(kafka, topics)) {
            return passes.start(pass, mode, source, modelName, modelVersion, threshold);
        }
    }

    static void record(Map<String, Object> kafka, RecurateTopics topics, PassStatus status) {
        try (PassLedger passes = new PassLedger(kafka, topics)) {
            passes.record(status);
        }
    }
}

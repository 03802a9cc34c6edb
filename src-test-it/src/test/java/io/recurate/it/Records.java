package io.recurate.it;

import io.recurate.schemas.Annotation;
import io.recurate.schemas.Decision;
import io.recurate.schemas.Document;
import io.recurate.schemas.ModelVersion;
import io.recurate.schemas.OffsetRange;
import io.recurate.schemas.PassCounts;
import io.recurate.schemas.PassState;
import io.recurate.schemas.PassStatus;
import io.recurate.schemas.ScoredDocument;
import io.recurate.schemas.SourceMode;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Sample records of every type, with every field set, including non-ASCII text. */
final class Records {
    static final Instant AT = Instant.parse("2026-11-25T12:00:00.123Z");

    private Records() {
    }

    static Document document(String id, String text) {
        return Document.newBuilder().setId(id).setText(text).setSource("spamassassin-dev.jsonl.gz")
                .setUrl("https://example.org/" + id).setContentSha256("ab".repeat(32))
                .setMetadata(Map.of("label", "acceptable", "lang", "en")).setIngestedAt(AT).build();
    }

    static ScoredDocument scored(String id) {
        return ScoredDocument.newBuilder().setDocument(document(id, "Grüße, 世界 🌍 " + id)).setPass(2)
                .setModelVersion("v3").setScore(0.875f).setDecision(Decision.REMOVED).setThreshold(0.5f)
                .setScoredAt(AT).build();
    }

    static Annotation annotation(String id) {
        return Annotation.newBuilder().setDocId(id).setPass(2).setModelVersion("v3").setScore(0.125f)
                .setDecision(Decision.KEPT).setThreshold(0.5f).setScoredAt(AT).build();
    }

    static ModelVersion modelVersion() {
        return ModelVersion.newBuilder().setName("filter").setVersion("v3").setParentVersion("v2")
                .setArtifactUri("file:///models/filter/v3").setSha256("cd".repeat(32))
                .setFeaturizerSpec("{\"version\":1,\"buckets\":2097152}").setThreshold(0.5f).setTrainedOnPass(2)
                .setSourceRanges(List.of(new OffsetRange("recurate.pass.2.kept", 0, 0L, 1000L)))
                .setProvenance(Map.of("epochs", "5")).setMetrics(Map.of("validation_auc", 0.97))
                .setCreatedAt(AT).build();
    }

    static PassStatus passStatus() {
        return PassStatus.newBuilder().setPass(2).setState(PassState.RUNNING).setMode(SourceMode.NESTED)
                .setSourceTopic("recurate.pass.1.kept").setModelName("filter").setModelVersion("v3").setThreshold(0.5f)
                .setSourceEndOffsets(List.of(new OffsetRange("recurate.pass.1.kept", 0, 0L, 500L)))
                .setCounts(new PassCounts(500L, 480L, 20L, 0L)).setStartedAt(AT).setFinishedAt(null).setError(null)
                .build();
    }

    /**
     * A Document in the Confluent wire format whose text holds invalid UTF-8: serialized normally, then the
     * second byte of its "ï" (0xC3 0xAF) overwritten with '(' so the sequence breaks.
     */
    static byte[] documentWithInvalidUtf8(TestCluster cluster, String subjectTopic) {
        try (var serializer = new io.recurate.serde.AvroSerializer<Document>(cluster.registryClient(), false)) {
            byte[] bytes = serializer.serialize(subjectTopic, document("bad-utf8", "a na\u00efve text from a careless producer"));
            for (int i = 0; i + 1 < bytes.length; i++) {
                if ((bytes[i] & 0xff) == 0xC3 && (bytes[i + 1] & 0xff) == 0xAF) {
                    bytes[i + 1] = '(';
                    return bytes;
                }
            }
            throw new AssertionError("no ï in the serialized document");
        }
    }
}

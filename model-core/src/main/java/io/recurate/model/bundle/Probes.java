package io.recurate.model.bundle;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The fixed probe texts scored into every manifest and rescored on every load: plain and spammy
 * English, other scripts and emoji, an empty text, and three longer than the token cap (one word
 * sequence repeated, spam and business words mixed so that large contributions cancel near the
 * middle of the sigmoid, and thousands of distinct words), where the float error of the sums is largest.
 */
final class Probes {
    static final List<String> TEXTS = List.of(
            "",
            "Meeting moved to 3pm tomorrow, agenda attached. Thanks, Anna",
            "CONGRATULATIONS!!! You have WON $1,000,000 - click http://win.example.com NOW to claim your prize",
            "Grüße aus Köln — naïve café, déjà vu",
            "日本語のテキストと中文文本 🙂🚀 emoji",
            "Привет, как дела? Всё хорошо.",
            "free free free viagra cheap meds no prescription unsubscribe ".repeat(700),
            "free viagra meeting agenda cheap meds invoice report click now please see attached ".repeat(600),
            distinctWords(6000));

    private Probes() {
    }

    /** {@code count} pseudo-words from a fixed seed: java.util.Random's sequence is specified, so every JVM agrees. */
    private static String distinctWords(int count) {
        Random random = new Random(20261202L);
        List<String> words = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String word = Long.toString(random.nextLong() & Long.MAX_VALUE, 36);
            words.add(word.substring(0, Math.min(word.length(), 4 + random.nextInt(6))));
        }
        return String.join(" ", words);
    }
}

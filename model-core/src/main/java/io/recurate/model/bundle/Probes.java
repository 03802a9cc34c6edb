package io.recurate.model.bundle;

import java.util.List;

/**
 * The fixed probe texts scored into every manifest and rescored on every load: plain and spammy
 * English, other scripts and emoji, an empty text and one longer than the token cap.
 */
final class Probes {
    static final List<String> TEXTS = List.of(
            "",
            "Meeting moved to 3pm tomorrow, agenda attached. Thanks, Anna",
            "CONGRATULATIONS!!! You have WON $1,000,000 - click http://win.example.com NOW to claim your prize",
            "Grüße aus Köln — naïve café, déjà vu",
            "日本語のテキストと中文文本 🙂🚀 emoji",
            "Привет, как дела? Всё хорошо.",
            "free free free viagra cheap meds no prescription unsubscribe ".repeat(700));

    private Probes() {
    }
}

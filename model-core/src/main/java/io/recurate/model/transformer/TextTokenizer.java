package io.recurate.model.transformer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;

/**
 * A bundle's {@code tokenizer.json}, read by Hugging Face's tokenizers library (Rust, through DJL; its jar carries
 * the native library, nothing is downloaded). Ids include the special tokens of the tokenizer's template
 * ([CLS] ... [SEP], &lt;s&gt; ... &lt;/s&gt;) and are cut to the model's length at the spec's end, the special tokens
 * kept. A long document is tokenized from a piece of it cut at whitespace, large enough to give the tokens kept,
 * so that a 50 MB document costs no more than a page.
 */
public final class TextTokenizer implements AutoCloseable {
    /** Characters tokenized first per token kept; more only when they give too few tokens. */
    private static final int CHARS_PER_TOKEN = 8;

    private final HuggingFaceTokenizer tokenizer;
    private final int maxLength;
    private final boolean keepStart;
    private final int vocabularySize;
    private final long padId;

    private TextTokenizer(HuggingFaceTokenizer tokenizer, int maxLength, boolean keepStart, int vocabularySize,
                          long padId) {
        this.tokenizer = tokenizer;
        this.maxLength = maxLength;
        this.keepStart = keepStart;
        this.vocabularySize = vocabularySize;
        this.padId = padId;
    }

    public static TextTokenizer open(Path file, int maxLength, boolean keepStart) {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true"); // DJL must never fetch anything: the tokenizer is a file
        }
        JsonNode json = readJson(file);
        int vocabulary = vocabularySize(file, json);
        try {
            HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.builder().optTokenizerPath(file)
                    .optAddSpecialTokens(true).optTruncation(false).optPadding(false).build();
            return new TextTokenizer(tokenizer, maxLength, keepStart, vocabulary, padId(json));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("Hugging Face tokenizers cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Highest token id of the tokenizer plus one: the embedding rows a model needs for it. */
    public int vocabularySize() {
        return vocabularySize;
    }

    /** The id padding positions get (masked out): the tokenizer's padding id, its [PAD] or &lt;pad&gt; token, else 0. */
    public long padId() {
        return padId;
    }

    public int maxLength() {
        return maxLength;
    }

    /** The document's token ids, special tokens included, at most {@link #maxLength()} of them. */
    public long[] ids(String text) {
        int chars = Math.max(256, CHARS_PER_TOKEN * maxLength);
        while (true) {
            boolean cut = text.length() > chars;
            Encoding encoding = tokenizer.encode(cut ? piece(text, chars) : text);
            long[] ids = encoding.getIds();
            long[] special = encoding.getSpecialTokenMask();
            int lead = 0;
            while (lead < ids.length && special[lead] == 1) {
                lead++;
            }
            int trail = 0;
            while (trail < ids.length - lead && special[ids.length - 1 - trail] == 1) {
                trail++;
            }
            int room = Math.max(0, maxLength - lead - trail);
            int content = ids.length - lead - trail;
            if (cut && content <= room) {
                chars = (int) Math.min(Integer.MAX_VALUE / 2, 4L * chars); // the piece gave too few tokens: take more
                continue;
            }
            return content <= room ? ids : truncated(ids, lead, trail, room);
        }
    }

    private long[] truncated(long[] ids, int lead, int trail, int room) {
        long[] out = new long[Math.min(maxLength, lead + room + trail)];
        System.arraycopy(ids, 0, out, 0, lead);
        int from = keepStart ? lead : ids.length - trail - room;
        System.arraycopy(ids, from, out, lead, room);
        System.arraycopy(ids, ids.length - trail, out, lead + room, Math.min(trail, out.length - lead - room));
        return out;
    }

    /** The start (or end) of the text, about {@code chars} long, cut at whitespace so that no word is split. */
    private String piece(String text, int chars) {
        int slack = chars / 8;
        if (keepStart) {
            int end = chars;
            for (int i = chars; i > chars - slack; i--) {
                if (Character.isWhitespace(text.charAt(i))) {
                    end = i;
                    break;
                }
            }
            if (Character.isHighSurrogate(text.charAt(end - 1))) {
                end--;
            }
            return text.substring(0, end);
        }
        int start = text.length() - chars;
        for (int i = start; i < start + slack; i++) {
            if (Character.isWhitespace(text.charAt(i))) {
                start = i + 1;
                break;
            }
        }
        if (Character.isLowSurrogate(text.charAt(start))) {
            start++;
        }
        return text.substring(start);
    }

    private static JsonNode readJson(Path file) {
        try {
            return new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read tokenizer " + file + ": " + e.getMessage(), e);
        }
    }

    private static long padId(JsonNode root) {
        if (root.path("padding").has("pad_id")) {
            return root.path("padding").path("pad_id").asLong();
        }
        for (JsonNode added : root.path("added_tokens")) {
            String content = added.path("content").asText();
            if (content.equals("[PAD]") || content.equals("<pad>")) {
                return added.path("id").asLong();
            }
        }
        return 0;
    }

    private static int vocabularySize(Path file, JsonNode root) {
        long highest = -1;
        JsonNode vocab = root.path("model").path("vocab");
        if (vocab.isObject()) {
            for (Iterator<JsonNode> ids = vocab.elements(); ids.hasNext(); ) {
                highest = Math.max(highest, ids.next().asLong());
            }
        } else if (vocab.isArray()) {
            highest = vocab.size() - 1; // Unigram: a list of [piece, score], the id is the position
        } else {
            throw new IllegalArgumentException("Tokenizer " + file + " has no model.vocab; is it a Hugging Face tokenizer.json?");
        }
        for (JsonNode added : root.path("added_tokens")) {
            highest = Math.max(highest, added.path("id").asLong());
        }
        return (int) (highest + 1);
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    @Override
    public String toString() {
        return "TextTokenizer[maxLength=" + maxLength + ", keepStart=" + keepStart + ", vocabulary=" + vocabularySize
                + "]";
    }
}

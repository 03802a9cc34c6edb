package io.recurate.model.transformer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a BERT-style WordPiece {@code tokenizer.json} (Hugging Face tokenizers' format: BERT normalizer, BERT
 * pre-tokenizer, [CLS] text [SEP]) whose vocabulary is the special tokens, every character of the texts (alone
 * and as a ## continuation) and their most frequent words. For benchmarks and tests, with {@link RandomEncoder}:
 * a real tokenizer file without downloading one.
 */
public final class WordPieceTokenizerWriter {
    public static final List<String> SPECIAL = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]");
    private static final ObjectMapper JSON = new ObjectMapper();

    private WordPieceTokenizerWriter() {
    }

    /** Writes the tokenizer to {@code file} and returns its vocabulary size (at most about {@code words} + 2 x characters). */
    public static int write(Iterable<String> texts, int words, Path file) throws IOException {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        SPECIAL.forEach(token -> vocab.put(token, vocab.size()));
        Map<String, Integer> counts = new HashMap<>();
        List<String> characters = new ArrayList<>();
        for (String text : texts) {
            for (String word : words(text.toLowerCase(Locale.ROOT))) {
                counts.merge(word, 1, Integer::sum);
                word.codePoints().forEach(c -> {
                    String ch = Character.toString(c);
                    if (!vocab.containsKey(ch)) {
                        vocab.put(ch, vocab.size());
                        characters.add(ch);
                    }
                });
            }
        }
        for (String ch : characters) {
            vocab.putIfAbsent("##" + ch, vocab.size());
        }
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(words)
                .forEach(e -> vocab.putIfAbsent(e.getKey(), vocab.size()));

        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (String token : SPECIAL) {
            added.addObject().put("id", vocab.get(token)).put("content", token).put("single_word", false)
                    .put("lstrip", false).put("rstrip", false).put("normalized", false).put("special", true);
        }
        root.putObject("normalizer").put("type", "BertNormalizer").put("clean_text", true)
                .put("handle_chinese_chars", true).put("strip_accents", false).put("lowercase", true);
        root.putObject("pre_tokenizer").put("type", "BertPreTokenizer");
        ObjectNode post = root.putObject("post_processor");
        post.put("type", "TemplateProcessing");
        ArrayNode single = post.putArray("single");
        single.addObject().putObject("SpecialToken").put("id", "[CLS]").put("type_id", 0);
        single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        single.addObject().putObject("SpecialToken").put("id", "[SEP]").put("type_id", 0);
        ArrayNode pair = post.putArray("pair");
        pair.addObject().putObject("SpecialToken").put("id", "[CLS]").put("type_id", 0);
        pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        pair.addObject().putObject("SpecialToken").put("id", "[SEP]").put("type_id", 0);
        pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
        pair.addObject().putObject("SpecialToken").put("id", "[SEP]").put("type_id", 1);
        ObjectNode specialTokens = post.putObject("special_tokens");
        for (String token : List.of("[CLS]", "[SEP]")) {
            ObjectNode t = specialTokens.putObject(token);
            t.put("id", token);
            t.putArray("ids").add(vocab.get(token));
            t.putArray("tokens").add(token);
        }
        root.putObject("decoder").put("type", "WordPiece").put("prefix", "##").put("cleanup", true);
        ObjectNode model = root.putObject("model");
        model.put("type", "WordPiece").put("unk_token", "[UNK]").put("continuing_subword_prefix", "##")
                .put("max_input_chars_per_word", 100);
        ObjectNode vocabNode = model.putObject("vocab");
        vocab.forEach(vocabNode::put);
        JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
        return vocab.size();
    }

    /** Whitespace-separated words with every punctuation character split off, as BERT's pre-tokenizer does. */
    static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        text.codePoints().forEach(c -> {
            if (Character.isWhitespace(c) || Character.isISOControl(c) || isPunctuation(c)) {
                if (!word.isEmpty()) {
                    out.add(word.toString());
                    word.setLength(0);
                }
                if (isPunctuation(c)) {
                    out.add(Character.toString(c));
                }
            } else {
                word.appendCodePoint(c);
            }
        });
        if (!word.isEmpty()) {
            out.add(word.toString());
        }
        return out;
    }

    private static boolean isPunctuation(int c) {
        if (c < 128) {
            return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
        }
        int type = Character.getType(c);
        return type == Character.CONNECTOR_PUNCTUATION || type == Character.DASH_PUNCTUATION
                || type == Character.START_PUNCTUATION || type == Character.END_PUNCTUATION
                || type == Character.INITIAL_QUOTE_PUNCTUATION || type == Character.FINAL_QUOTE_PUNCTUATION
                || type == Character.OTHER_PUNCTUATION;
    }
}

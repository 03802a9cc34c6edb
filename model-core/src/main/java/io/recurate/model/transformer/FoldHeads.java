package io.recurate.model.transformer;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.recurate.model.bundle.Folds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The heads of an embedding-head bundle: one ({@code head.json}), or K cross-fitted ones ({@code heads.json}), head k
 * trained without the documents of fold k ({@link Folds}) and scoring exactly those, so that every document's score
 * is held out. The encoder is shared: one bundle, one ONNX session, K small heads.
 */
public record FoldHeads(List<LinearHead> heads) {
    public static final String FILE = "heads.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    public FoldHeads {
        if (heads == null || heads.isEmpty()) {
            throw new IllegalArgumentException("A bundle needs at least one head");
        }
        heads = List.copyOf(heads);
    }

    public static FoldHeads of(LinearHead head) {
        return new FoldHeads(List.of(head));
    }

    public int k() {
        return heads.size();
    }

    /** The head that scores document {@code id}: the one of its fold, which never trained on it. */
    public LinearHead of(String id) {
        return heads.get(Folds.of(id, heads.size()));
    }

    /** The file it is written to: {@code head.json} for one head (as bundles before cross-fitting), else {@code heads.json}. */
    public String fileName() {
        return heads.size() == 1 ? LinearHead.FILE : FILE;
    }

    public void write(Path dir) throws IOException {
        if (heads.size() == 1) {
            heads.get(0).write(dir.resolve(LinearHead.FILE));
        } else {
            JSON.writeValue(dir.resolve(FILE).toFile(), this);
        }
    }

    /** The bundle's heads, all of the first one's dimension (a bundle already checked on load). */
    public static FoldHeads read(Path dir) {
        boolean many = Files.isRegularFile(dir.resolve(FILE));
        int dimension;
        try {
            var root = JSON.readTree(dir.resolve(many ? FILE : LinearHead.FILE).toFile());
            dimension = (many ? root.path("heads").path(0) : root).path("weights").size();
        } catch (IOException e) {
            throw new IllegalArgumentException("Unreadable heads in " + dir + ": " + e.getMessage(), e);
        }
        return read(dir, dimension);
    }

    /** The bundle's heads, each checked against the encoder's dimension. */
    public static FoldHeads read(Path dir, int dimension) {
        if (!Files.isRegularFile(dir.resolve(FILE))) {
            return of(LinearHead.read(dir.resolve(LinearHead.FILE), dimension));
        }
        FoldHeads read;
        try {
            read = JSON.readValue(dir.resolve(FILE).toFile(), FoldHeads.class);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("Unreadable heads " + dir.resolve(FILE) + ": " + e.getMessage(), e);
        }
        for (int k = 0; k < read.k(); k++) {
            LinearHead head = read.heads().get(k);
            if (head.weights() == null || head.weights().length != dimension) {
                throw new IllegalArgumentException("Head " + k + " of " + dir.resolve(FILE) + " has "
                        + (head.weights() == null ? 0 : head.weights().length) + " weights but the encoder's embedding has "
                        + dimension + " dimensions");
            }
        }
        return read;
    }
}

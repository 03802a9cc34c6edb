package io.recurate.corpus;

import java.nio.file.Path;

/**
 * Where in a corpus file a document or a problem is: a line of a JSONL file, or a row of a
 * Parquet row group. Printed the way a user finds it again ({@code data/a.jsonl.gz:1234}).
 *
 * @param line     1-based line number, or -1 for Parquet
 * @param rowGroup 0-based row group, or -1 for JSONL
 * @param row      0-based row within the file, or -1 for JSONL
 */
public record Position(Path file, long line, int rowGroup, long row) {

    public static Position line(Path file, long line) {
        return new Position(file, line, -1, -1);
    }

    public static Position row(Path file, int rowGroup, long row) {
        return new Position(file, -1, rowGroup, row);
    }

    /** The whole file, for problems that are not about one record. */
    public static Position file(Path file) {
        return new Position(file, -1, -1, -1);
    }

    @Override
    public String toString() {
        if (line >= 0) {
            return file + ":" + line;
        }
        if (rowGroup >= 0) {
            return file + " row group " + rowGroup + (row >= 0 ? ", row " + row : "");
        }
        return file.toString();
    }
}

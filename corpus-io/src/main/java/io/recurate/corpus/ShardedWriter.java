package io.recurate.corpus;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * Writes rows into size-bounded shards {@code part-00000.jsonl.gz}, {@code part-00001...} in one
 * folder. A shard is closed once it holds {@code maxShardBytes} (before compression), so shards
 * stay a size that tools and uploads handle well; {@link #close()} returns them with sha256.
 */
public final class ShardedWriter implements Closeable {
    private final Path folder;
    private final ShardFormat format;
    private final Schema schema;
    private final long maxShardBytes;
    private final List<Shard> shards = new ArrayList<>();
    private RowWriter current;
    private Path currentFile;
    private long currentRows;
    private long rows;

    public ShardedWriter(Path folder, ShardFormat format, Schema schema, long maxShardBytes) {
        this.folder = folder;
        this.format = format;
        this.schema = schema;
        this.maxShardBytes = maxShardBytes;
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create " + folder + ": " + e.getMessage(), e);
        }
    }

    public void write(GenericRecord row) {
        try {
            if (current == null) {
                currentFile = folder.resolve(String.format("part-%05d%s", shards.size(), format.extension()));
                current = RowWriter.open(format, currentFile, schema);
                currentRows = 0;
            }
            current.write(row);
            currentRows++;
            rows++;
            if (current.bytes() >= maxShardBytes) {
                finishShard();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + currentFile + ": " + e.getMessage(), e);
        }
    }

    public long rows() {
        return rows;
    }

    /** Closes the last shard; the shards written, in order. */
    public List<Shard> finish() {
        try {
            if (current != null) {
                finishShard();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + currentFile + ": " + e.getMessage(), e);
        }
        return List.copyOf(shards);
    }

    @Override
    public void close() {
        finish();
    }

    private void finishShard() throws IOException {
        current.close();
        current = null;
        shards.add(new Shard(currentFile.getFileName().toString(), currentRows, Files.size(currentFile), sha256(currentFile)));
    }

    public static String sha256(Path file) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

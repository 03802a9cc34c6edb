package io.recurate.corpus;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/** Writes rows of one Avro schema to one shard file. */
interface RowWriter extends Closeable {

    void write(GenericRecord row) throws IOException;

    /** Bytes written so far, before compression (what bounds a shard). */
    long bytes();

    static RowWriter open(ShardFormat format, Path file, Schema schema) throws IOException {
        return format == ShardFormat.PARQUET ? new ParquetRowWriter(file, schema) : new JsonlRowWriter(file);
    }
}

package io.recurate.corpus;

import java.io.IOException;
import java.nio.file.Path;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;

/** Parquet with zstd pages and 128 MB row groups, the layout large corpora ship in. */
final class ParquetRowWriter implements RowWriter {
    private final ParquetWriter<GenericRecord> writer;

    ParquetRowWriter(Path file, Schema schema) throws IOException {
        this.writer = AvroParquetWriter.<GenericRecord>builder(new LocalOutputFile(file))
                .withSchema(schema)
                .withDataModel(GenericData.get())
                .withConf(new PlainParquetConfiguration())
                .withCompressionCodec(CompressionCodecName.ZSTD)
                .withRowGroupSize(128L * 1024 * 1024)
                .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                .build();
    }

    @Override
    public void write(GenericRecord row) throws IOException {
        writer.write(row);
    }

    @Override
    public long bytes() {
        return writer.getDataSize();
    }

    @Override
    public void close() throws IOException {
        writer.close();
    }
}

package io.recurate.corpus;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.function.Consumer;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.avro.AvroReadSupport;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/** Parquet files as FineWeb and Dolma ship them: any schema with a string text column. */
final class ParquetSource {
    private ParquetSource() {
    }

    static void read(Path file, ReadOptions options, Consumer<SourceDocument> documents, Consumer<BadInput> bad) {
        long[] groupEnds;
        long[] groupBytes;
        Optional<String> noText;
        try (ParquetFileReader footer = ParquetFileReader.open(new LocalInputFile(file))) {
            noText = textColumnProblem(footer.getFileMetaData().getSchema(), options.fields().textField());
            var groups = footer.getRowGroups();
            groupEnds = new long[groups.size()];
            groupBytes = new long[groups.size()];
            long rows = 0;
            for (int i = 0; i < groups.size(); i++) {
                BlockMetaData g = groups.get(i);
                rows += g.getRowCount();
                groupEnds[i] = rows;
                groupBytes[i] = g.getCompressedSize();
            }
        } catch (IOException | RuntimeException e) {
            bad.accept(new BadInput(BadInput.Cause.UNREADABLE_FILE, Position.file(file),
                    "not a Parquet file, or its footer is damaged: " + inUserTerms(e.getMessage(), file)));
            return;
        }
        if (noText.isPresent()) {
            // One error for the file, not one per row: no row of it can have a text. Told outside the footer's try: with
            // --on-error fail the consumer throws, and that is no damaged footer.
            bad.accept(new BadInput(BadInput.Cause.MISSING_TEXT, Position.file(file), noText.get()));
            return;
        }
        DocumentMapper mapper = new DocumentMapper(options, bad);
        PlainParquetConfiguration conf = new PlainParquetConfiguration();
        conf.set(AvroReadSupport.READ_INT96_AS_FIXED, "true"); // Spark and pyarrow timestamps: kept as metadata, not refused
        long row = 0;
        int group = 0;
        try (ParquetReader<GenericRecord> reader = AvroParquetReader.<GenericRecord>builder(new LocalInputFile(file), conf)
                .withDataModel(GenericData.get()).build()) {
            while (true) {
                GenericRecord record;
                try {
                    record = reader.read();
                } catch (IOException | RuntimeException e) {
                    bad.accept(new BadInput(BadInput.Cause.TRUNCATED_FILE, Position.row(file, group, row),
                            "cannot decode the row group (" + inUserTerms(e.getMessage(), file) + "); the " + row
                                    + " rows before it were read"));
                    return;
                }
                if (record == null) {
                    break;
                }
                while (group < groupEnds.length - 1 && row >= groupEnds[group]) {
                    options.progress().accept(groupBytes[group]);
                    group++;
                }
                mapper.fromRecord(record, Position.row(file, group, row)).ifPresent(documents);
                row++;
            }
            for (int g = group; g < groupBytes.length; g++) {
                options.progress().accept(groupBytes[g]);
            }
        } catch (IOException e) {
            bad.accept(new BadInput(BadInput.Cause.UNREADABLE_FILE, Position.file(file), inUserTerms(e.toString(), file)));
        }
    }

    /** Why no row of a file with this schema can give a text, if so. */
    static Optional<String> textColumnProblem(MessageType schema, String textField) {
        if (!schema.containsField(textField)) {
            return Optional.of("no column '" + textField + "' (see --text-field); the file's columns are: "
                    + schema.getFields().stream().map(Type::getName).collect(Collectors.joining(", ")));
        }
        Type column = schema.getType(textField);
        LogicalTypeAnnotation annotation = column.getLogicalTypeAnnotation();
        boolean string = column.isPrimitive()
                && column.asPrimitiveType().getPrimitiveTypeName() == PrimitiveType.PrimitiveTypeName.BINARY
                && (annotation instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation
                || annotation instanceof LogicalTypeAnnotation.EnumLogicalTypeAnnotation
                || annotation instanceof LogicalTypeAnnotation.JsonLogicalTypeAnnotation);
        return string ? Optional.empty() : Optional.of("column '" + textField + "' is not a string column (it is "
                + column.toString().strip() + "); see --text-field");
    }

    /** Parquet names a file by its reader object ("LocalInputFile@c6b2dd9"): name it by its path. */
    private static String inUserTerms(String message, Path file) {
        return message == null ? "" : message.replaceAll("org\\.apache\\.parquet\\.io\\.LocalInputFile@[0-9a-f]+",
                java.util.regex.Matcher.quoteReplacement(file.toString()));
    }
}

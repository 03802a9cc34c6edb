package io.recurate.model.onnx;

import static io.recurate.model.onnx.OnnxProtos.floatTensor;
import static io.recurate.model.onnx.OnnxProtos.intAttribute;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import io.recurate.model.train.LinearModel;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@link LinearModel} as an ONNX graph (IR 8, opset 13) with the ONNX protobuf classes:
 * {@code Gather(table, ids) -> ReduceSum(axis 1) -> Mul(inverse_lengths) -> Gemm(W, b) -> Sigmoid}.
 * A table larger than {@code externalDataThreshold} bytes goes to {@code <model>.data} as ONNX
 * external data, since one protobuf message cannot exceed 2 GiB.
 */
public final class OnnxExporter {
    public static final long DEFAULT_EXTERNAL_DATA_THRESHOLD = 1L << 30;
    private static final int IR_VERSION = 8;
    private static final int OPSET = 13;

    private final ExportMode mode;
    private final long externalDataThreshold;

    public OnnxExporter(ExportMode mode, long externalDataThreshold) {
        this.mode = mode;
        this.externalDataThreshold = externalDataThreshold;
    }

    public ExportMode mode() {
        return mode;
    }

    public static OnnxExporter defaults() {
        return new OnnxExporter(ExportMode.FOLDED, DEFAULT_EXTERNAL_DATA_THRESHOLD);
    }

    /**
     * Writes the graph to {@code file}, plus {@code file.data} when the table is external.
     *
     * @return the files written
     */
    public List<Path> write(LinearModel model, Map<String, String> metadata, Path file) throws IOException {
        int rows = model.rows();
        int width = mode == ExportMode.FULL ? model.dim() : 1;
        float[] table = mode == ExportMode.FULL ? model.embeddingTable() : model.foldedTable();
        float[] gemmWeights = mode == ExportMode.FULL ? model.weights() : new float[] {1f};

        Path dataFile = file.resolveSibling(file.getFileName() + ".data");
        boolean external = (long) table.length * Float.BYTES > externalDataThreshold;
        TensorProto tableTensor;
        if (external) {
            writeRaw(table, dataFile);
            tableTensor = TensorProto.newBuilder().setName("table").setDataType(TensorProto.DataType.FLOAT.getNumber())
                    .addDims(rows).addDims(width)
                    .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                    .addExternalData(entry("location", dataFile.getFileName().toString()))
                    .addExternalData(entry("offset", "0"))
                    .addExternalData(entry("length", Long.toString((long) table.length * Float.BYTES)))
                    .build();
        } else {
            tableTensor = floatTensor("table", table, rows, width);
        }

        GraphProto graph = GraphProto.newBuilder()
                .setName("recurate_filter")
                .addInput(input(GraphNames.IDS, TensorProto.DataType.INT32, "batch", "length"))
                .addInput(input(GraphNames.INVERSE_LENGTHS, TensorProto.DataType.FLOAT, "batch", null))
                .addOutput(input(GraphNames.SCORE, TensorProto.DataType.FLOAT, "batch", null))
                .addInitializer(tableTensor)
                .addInitializer(TensorProto.newBuilder().setName("sum_axes")
                        .setDataType(TensorProto.DataType.INT64.getNumber()).addDims(1).addInt64Data(1).build())
                .addInitializer(floatTensor("W", gemmWeights, width, 1))
                .addInitializer(floatTensor("B", new float[] {model.bias()}, 1))
                // Look up each id's row: [batch, length, width]; row 0 is zero, so padding adds nothing.
                .addNode(node("Gather", List.of("table", GraphNames.IDS), "gathered")
                        .addAttribute(intAttribute("axis", 0)))
                // Sum the bag over the length axis: [batch, width].
                .addNode(node("ReduceSum", List.of("gathered", "sum_axes"), "summed")
                        .addAttribute(intAttribute("keepdims", 0)))
                // Average: scale each row by 1 / its number of ids.
                .addNode(node("Mul", List.of("summed", GraphNames.INVERSE_LENGTHS), "mean"))
                // Linear layer to one logit per document: [batch, 1].
                .addNode(node("Gemm", List.of("mean", "W", "B"), "logit"))
                .addNode(node("Sigmoid", List.of("logit"), GraphNames.SCORE))
                .build();

        ModelProto.Builder onnx = ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName("recurate")
                .setDomain("io.recurate")
                .setModelVersion(1)
                .setDocString("fastText-style binary filter: embedding bag, linear layer, sigmoid")
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(graph);
        metadata.forEach((k, v) -> onnx.addMetadataProps(entry(k, v)));
        onnx.addMetadataProps(entry(GraphNames.META_EXPORT_MODE, mode.name()));
        try (OutputStream out = Files.newOutputStream(file)) {
            onnx.build().writeTo(out);
        }
        return external ? List.of(file, dataFile) : List.of(file);
    }


    private static void writeRaw(float[] values, Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            int i = 0;
            while (i < values.length) {
                chunk.clear();
                while (i < values.length && chunk.remaining() >= Float.BYTES) {
                    chunk.putFloat(values[i++]);
                }
                chunk.flip();
                while (chunk.hasRemaining()) {
                    channel.write(chunk);
                }
            }
        }
    }

    private static ValueInfoProto input(String name, TensorProto.DataType type, String dim0, String dim1) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(dim0));
        shape.addDim(dim1 == null ? TensorShapeProto.Dimension.newBuilder().setDimValue(1)
                : TensorShapeProto.Dimension.newBuilder().setDimParam(dim1));
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape))).build();
    }

    private static NodeProto.Builder node(String op, List<String> inputs, String output) {
        return NodeProto.newBuilder().setOpType(op).setName(op.toLowerCase(java.util.Locale.ROOT) + "_" + output)
                .addAllInput(inputs).addOutput(output);
    }


    private static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }
}

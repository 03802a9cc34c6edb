package io.recurate.model.transformer;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What the checks need from an ONNX file that ONNX Runtime's API does not say: the rows of the embedding table an
 * input indexes, and the external data files the graph refers to. Read with the ONNX protobuf classes; external
 * data is not read.
 */
public final class OnnxGraphFacts {
    private final GraphProto graph;

    private OnnxGraphFacts(GraphProto graph) {
        this.graph = graph;
    }

    public static OnnxGraphFacts read(Path model) {
        try (InputStream in = Files.newInputStream(model)) {
            return new OnnxGraphFacts(ModelProto.parseFrom(in).getGraph());
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read " + model + " as an ONNX model: " + e.getMessage(), e);
        }
    }

    /** Rows of the initializer a {@code Gather} node looks {@code input} up in (the word embeddings), when there is one. */
    public OptionalInt rowsIndexedBy(String input) {
        Map<String, TensorProto> initializers = graph.getInitializerList().stream()
                .collect(Collectors.toMap(TensorProto::getName, Function.identity(), (a, b) -> a));
        for (NodeProto node : graph.getNodeList()) {
            if (node.getOpType().equals("Gather") && node.getInputCount() == 2 && node.getInput(1).equals(input)) {
                TensorProto table = initializers.get(node.getInput(0));
                if (table != null && table.getDimsCount() == 2) {
                    return OptionalInt.of((int) table.getDims(0));
                }
            }
        }
        return OptionalInt.empty();
    }

    /** The graph's inputs that are fed (not initializers), in order. */
    public java.util.List<String> inputNames() {
        Set<String> initializers = graph.getInitializerList().stream().map(TensorProto::getName).collect(Collectors.toSet());
        return graph.getInputList().stream().map(i -> i.getName()).filter(n -> !initializers.contains(n)).toList();
    }

    /** File names (relative to the model's folder) holding the graph's external data. */
    public Set<String> externalDataFiles() {
        Set<String> files = new LinkedHashSet<>();
        for (TensorProto tensor : graph.getInitializerList()) {
            if (tensor.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
                for (StringStringEntryProto entry : tensor.getExternalDataList()) {
                    if (entry.getKey().equals("location")) {
                        files.add(entry.getValue());
                    }
                }
            }
        }
        return files;
    }
}

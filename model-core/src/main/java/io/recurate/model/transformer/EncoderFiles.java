package io.recurate.model.transformer;

import java.nio.file.Path;

/**
 * An encoder as files, and how it is fed and read: what a trainer needs to embed texts and to write a bundle of
 * heads on it.
 *
 * @param name      for logs and provenance: a {@link PretrainedEncoder}'s name, or the bundle it came from
 * @param onnx      the encoder's ONNX file
 * @param tokenizer its {@code tokenizer.json}
 * @param spec      how it is fed, pooled and normalized
 */
public record EncoderFiles(String name, Path onnx, Path tokenizer, TransformerSpec spec) {
}

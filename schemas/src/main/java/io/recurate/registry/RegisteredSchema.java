package io.recurate.registry;

import org.apache.avro.Schema;

/** One version of a subject: Confluent's {@code {subject, version, id, schema}}. */
public record RegisteredSchema(String subject, int version, int id, Schema schema) {
}

package io.recurate.corpus;

/**
 * One written shard, as the manifest lists it.
 *
 * @param file   name relative to the export folder
 * @param bytes  size of the file as written
 * @param sha256 lowercase hex sha256 of the file
 */
public record Shard(String file, long rows, long bytes, String sha256) {
}

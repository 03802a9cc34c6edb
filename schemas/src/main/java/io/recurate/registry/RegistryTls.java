package io.recurate.registry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS for the registry client, from Confluent's {@code schema.registry.ssl.*} keys: a truststore for a
 * registry whose certificate the JVM does not trust, and a keystore for mutual TLS. Passwords are never
 * printed.
 */
public record RegistryTls(Path truststore, String truststorePassword, String truststoreType,
                          Path keystore, String keystorePassword, String keystoreType, String keyPassword) {

    public static final String TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
    public static final String TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
    public static final String TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";
    public static final String KEYSTORE_LOCATION = "schema.registry.ssl.keystore.location";
    public static final String KEYSTORE_PASSWORD = "schema.registry.ssl.keystore.password";
    public static final String KEYSTORE_TYPE = "schema.registry.ssl.keystore.type";
    public static final String KEY_PASSWORD = "schema.registry.ssl.key.password";

    /** The TLS settings in client configuration, or null when it names no truststore or keystore. */
    public static RegistryTls fromMap(Map<String, ?> configs) {
        String truststore = string(configs, TRUSTSTORE_LOCATION);
        String keystore = string(configs, KEYSTORE_LOCATION);
        if (truststore == null && keystore == null) {
            return null;
        }
        return new RegistryTls(truststore == null ? null : Path.of(truststore), string(configs, TRUSTSTORE_PASSWORD),
                orDefault(string(configs, TRUSTSTORE_TYPE), "PKCS12"), keystore == null ? null : Path.of(keystore),
                string(configs, KEYSTORE_PASSWORD), orDefault(string(configs, KEYSTORE_TYPE), "PKCS12"),
                string(configs, KEY_PASSWORD));
    }

    /** The SSL context these stores describe; a missing or unreadable store is named in the error. */
    public SSLContext sslContext() {
        try {
            TrustManagerFactory tmf = null;
            if (truststore != null) {
                tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(load(truststore, truststoreType, truststorePassword, TRUSTSTORE_LOCATION));
            }
            KeyManagerFactory kmf = null;
            if (keystore != null) {
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                String keyPw = keyPassword != null ? keyPassword : keystorePassword;
                kmf.init(load(keystore, keystoreType, keystorePassword, KEYSTORE_LOCATION), keyPw == null ? null : keyPw.toCharArray());
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("Cannot set up TLS for the schema registry: " + e.getMessage(), e);
        }
    }

    private static KeyStore load(Path file, String type, String password, String key) throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(type);
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, password == null ? null : password.toCharArray());
            return store;
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read " + key + " " + file + " (" + type + "): " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "RegistryTls[truststore=" + truststore + ", keystore=" + keystore + ", passwords=****]";
    }

    private static String string(Map<String, ?> configs, String key) {
        Object v = configs.get(key);
        return v == null || v.toString().isBlank() ? null : v.toString();
    }

    private static String orDefault(String v, String dflt) {
        return v == null ? dflt : v;
    }
}

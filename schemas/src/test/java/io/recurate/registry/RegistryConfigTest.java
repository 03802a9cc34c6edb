package io.recurate.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RegistryConfigTest {

    @Test
    void readsConfluentStyleKeysWithTheirDefaults() {
        RegistryConfig config = RegistryConfig.fromMap(Map.of(RegistryConfig.URL, "http://a:8081, http://b:8081/",
                RegistryConfig.AUTO_REGISTER, "false"));
        assertThat(config.urls()).containsExactly(URI.create("http://a:8081"), URI.create("http://b:8081"));
        assertThat(config.autoRegister()).isFalse();
        assertThat(config.userInfo()).isNull();
        assertThat(config.maxAttempts()).isEqualTo(10);
        assertThat(config.timeout()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void takesCredentialsFromTheUrlButNeverPrintsThem() {
        RegistryConfig config = RegistryConfig.of("https://alice:s3cret@registry.example:8081");
        assertThat(config.userInfo()).isEqualTo("alice:s3cret");
        assertThat(config.displayUrls()).isEqualTo("https://registry.example:8081");
        assertThat(config.toString()).doesNotContain("s3cret").contains("****");
    }

    @Test
    void missingOrMalformedUrlIsAClearError() {
        assertThatThrownBy(() -> RegistryConfig.fromMap(Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("schema.registry.url");
        assertThatThrownBy(() -> RegistryConfig.of("localhost"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http[s]://host:port");
    }
}

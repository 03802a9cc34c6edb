package io.recurate.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class CausesTest {

    @Test
    void theFirstCauseIsNamedAfterTheWrappers() {
        var disk = new IOException("No space left on device");
        var rocks = new RuntimeException("While appending to file: /state/000009.log", disk);
        var store = new IllegalStateException("Error opening store pass-progress at location /state/rocksdb", rocks);
        assertThat(Causes.describe(store)).isEqualTo("Error opening store pass-progress at location /state/rocksdb; "
                + "cause: RuntimeException: While appending to file: /state/000009.log; "
                + "cause: IOException: No space left on device");
        assertThat(Causes.root(store)).isSameAs(disk);
    }

    @Test
    void aWrapperThatRepeatsItsCauseSaysItOnce() {
        var inner = new IllegalStateException("Pass 1 failed: disk full");
        var outer = new IllegalStateException("Pass 1 failed: disk full", inner);
        var kafka = new RuntimeException("java.lang.IllegalStateException: Pass 1 failed: disk full", outer);
        assertThat(Causes.describe(outer)).isEqualTo("Pass 1 failed: disk full");
        assertThat(Causes.describe(kafka)).isEqualTo("java.lang.IllegalStateException: Pass 1 failed: disk full");
        assertThat(Causes.describe(new NullPointerException())).isEqualTo("NullPointerException");
    }
}

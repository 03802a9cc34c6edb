package io.recurate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.recurate.model.data.LabelledText;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScorerBenchCommandTest {
    private static LabelledText text(String s) {
        return new LabelledText("i", s, false, 1f, 1);
    }

    @Test
    void recordBytesJoinsConsecutiveTextsUntilEachIsLargeEnough() {
        List<LabelledText> corpus = List.of(text("aaaa"), text("bbbb"), text("cccc"), text("dddd"), text("ee"));
        List<LabelledText> joined = ScorerBenchCommand.joined(corpus, 9);
        assertThat(joined).extracting(LabelledText::text).containsExactly("aaaa\n\nbbbb", "cccc\n\ndddd");
        assertThat(joined).allSatisfy(t -> assertThat(t.text().getBytes(StandardCharsets.UTF_8).length).isGreaterThanOrEqualTo(9));
        assertThat(ScorerBenchCommand.joined(corpus, 0)).isSameAs(corpus);
        assertThatThrownBy(() -> ScorerBenchCommand.joined(corpus, 1000)).hasMessageContaining("fewer than --record-bytes 1000");
    }
}

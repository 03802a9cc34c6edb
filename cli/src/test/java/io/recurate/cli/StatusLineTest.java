package io.recurate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StatusLineTest {
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();

    private StatusLine line(boolean terminal, int columns) {
        Terminal t = new Terminal() {
            @Override
            public boolean isTerminal() {
                return terminal;
            }

            @Override
            public int columns() {
                return columns;
            }
        };
        return new StatusLine(new PrintStream(errBytes, true, StandardCharsets.UTF_8),
                new PrintStream(outBytes, true, StandardCharsets.UTF_8), t);
    }

    private String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void onATerminalALogLineErasesTheBarAndTheBarIsDrawnAgainAfterIt() {
        StatusLine line = line(true, 40);
        line.show("Pass 1  50% [=====     ] 50/100 docs");
        line.stderr().print("08:00:00.000 WARN  Something - happened\n");
        assertThat(err()).isEqualTo("\r\033[KPass 1  50% [=====     ] 50/100 docs"
                + "\r\033[K08:00:00.000 WARN  Something - happened\n"
                + "Pass 1  50% [=====     ] 50/100 docs");
        line.finish("Pass 1 100% [==========] 100/100 docs");
        assertThat(err()).endsWith("\r\033[KPass 1 100% [==========] 100/100 docs\n");
    }

    @Test
    void aBarIsCutToTheTerminalsWidthNeverWrapped() {
        StatusLine line = line(true, 30);
        line.show("Pass 1  50% [=====     ] 50/100 docs (0:00:05 / 0:00:05) 10.0 docs/s kept 45, removed 5");
        assertThat(err()).isEqualTo("\r\033[K" + "Pass 1  50% [=====     ] 50/1");
        assertThat(err().length() - 4).isEqualTo(29);
    }

    @Test
    void stdoutLinesAlsoMoveTheBarOutOfTheWay() {
        StatusLine line = line(true, 80);
        line.show("publish 3 MB");
        line.stdout().print("Pass 1 (v0, ns.docs.ingest, tau 0.9000): input 10\n");
        assertThat(outBytes.toString(StandardCharsets.UTF_8)).isEqualTo("Pass 1 (v0, ns.docs.ingest, tau 0.9000): input 10\n");
        assertThat(err()).isEqualTo("\r\033[Kpublish 3 MB\r\033[Kpublish 3 MB");
    }

    @Test
    void withoutATerminalThereIsNoCarriageReturnAndAtMostOneLineEveryTenSeconds() {
        StatusLine line = line(false, 80);
        line.show("Pass 1   1% [ ] 1/100 docs");
        line.show("Pass 1   2% [ ] 2/100 docs");
        line.stderr().print("08:00:00.000 INFO  LoopRunner - a log line\n");
        line.show("Pass 1   3% [ ] 3/100 docs");
        line.finish("Pass 1 100% [=] 100/100 docs");
        assertThat(err()).doesNotContain("\r").doesNotContain("\033")
                .isEqualTo("Pass 1   1% [ ] 1/100 docs\n08:00:00.000 INFO  LoopRunner - a log line\n"
                        + "Pass 1 100% [=] 100/100 docs\n");
    }
}

package io.recurate.cli;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress bars with rates, the same look for every long-running command, drawn on the console's
 * {@link StatusLine}: in place on a terminal, as periodic plain lines otherwise.
 */
public final class Progress {
    private Progress() {
    }

    /**
     * @param max  total units, or -1 when unknown (then the bar shows count and rate only)
     * @param unit shown after the counts, e.g. " docs"
     */
    public static ProgressBar bar(String task, long max, String unit) {
        return new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(max)
                .setUnit(unit, 1)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(500)
                .showSpeed()
                .setConsumer(new OnStatusLine(StatusLine.current()))
                .build();
    }

    /** Hands each rendering of a bar to the status line, and its last one when the bar closes. */
    private static final class OnStatusLine implements ProgressBarConsumer {
        private final StatusLine line;
        private final int width;
        private String last;

        OnStatusLine(StatusLine line) {
            this.line = line;
            this.width = line.isTerminal() ? line.width() : 160;
        }

        @Override
        public int getMaxRenderedLength() {
            return width;
        }

        @Override
        public void accept(String rendered) {
            last = rendered;
            line.show(rendered);
        }

        @Override
        public void close() {
            line.finish(last);
        }
    }
}

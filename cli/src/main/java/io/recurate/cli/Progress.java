package io.recurate.cli;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** Progress bars with rates on stderr, the same look for every long-running command. */
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
                .build();
    }
}

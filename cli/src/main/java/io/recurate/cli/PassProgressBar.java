package io.recurate.cli;

import io.recurate.curation.loop.PassListener;
import me.tongfei.progressbar.ProgressBar;

/** A pass's progress as a bar with its rate, kept and removed counts. */
final class PassProgressBar implements PassListener {
    private ProgressBar bar;

    @Override
    public void started(int pass, String version, long total) {
        bar = Progress.bar("Pass " + pass, total, " docs");
    }

    @Override
    public void progress(long input, long kept, long removed) {
        if (bar != null) {
            bar.stepTo(input);
            bar.setExtraMessage(" kept " + kept + ", removed " + removed);
        }
    }

    @Override
    public void finished() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}

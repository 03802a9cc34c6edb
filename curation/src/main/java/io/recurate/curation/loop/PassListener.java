package io.recurate.curation.loop;

/** Where the loop reports a pass's progress while it waits for the scorer (the command line draws a bar). */
public interface PassListener {
    PassListener NONE = new PassListener() {
        @Override
        public void started(int pass, String version, long total) {
        }

        @Override
        public void progress(long input, long kept, long removed) {
        }

        @Override
        public void finished() {
        }
    };

    void started(int pass, String version, long total);

    void progress(long input, long kept, long removed);

    void finished();
}

package io.recurate.service;

/**
 * A long-running part of recurate (the scorer, the trainer). {@link #run} works until the service is
 * closed or fails; {@link #close} may be called from any thread, more than once, and makes {@code run}
 * return after what is in flight is committed.
 */
public interface Service extends AutoCloseable {

    void run() throws Exception;

    @Override
    void close();
}

package io.recurate.curation.loop;

/**
 * Whether the services a loop waits for are still there. The loop asks while it waits, so that a scorer
 * or trainer that died ends the run with its cause instead of leaving it waiting for ever.
 */
@FunctionalInterface
public interface ServiceHealth {
    /** Services run elsewhere: the loop cannot see them, and says once a minute what it waits for. */
    ServiceHealth ELSEWHERE = () -> { };

    /** @throws IllegalStateException naming the service that stopped and why */
    void check();
}

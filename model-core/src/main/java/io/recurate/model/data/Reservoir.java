package io.recurate.model.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A uniform random sample of at most {@code capacity} items from a stream of unknown length
 * (Vitter's algorithm R): training, the loop's score sample and the audit sample read any pass in
 * bounded memory through it.
 */
public final class Reservoir<T> {
    private final int capacity;
    private final Random random;
    private final List<T> items = new ArrayList<>();
    private long seen;

    public Reservoir(int capacity, long seed) {
        this.capacity = capacity;
        this.random = new Random(seed);
    }

    public void offer(T item) {
        seen++;
        if (items.size() < capacity) {
            items.add(item);
        } else {
            long j = (long) (random.nextDouble() * seen);
            if (j < capacity) {
                items.set((int) j, item);
            }
        }
    }

    /** The sample, in no meaningful order. */
    public List<T> items() {
        return items;
    }

    public long seen() {
        return seen;
    }

    public boolean sampled() {
        return seen > capacity;
    }
}

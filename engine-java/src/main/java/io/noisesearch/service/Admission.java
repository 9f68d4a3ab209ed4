package io.noisesearch.service;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Admission of searches: at most {@code concurrency} run at once and at most {@code capacity} wait, high priority
 * before normal, first come first served within a level. A request that finds the queue full is rejected at once;
 * once draining, new requests are rejected while those admitted run to their end.
 */
final class Admission {

    /** Why a request was not admitted; the reason label of the rejection metric and the JSON error. */
    enum Refusal {
        QUEUE_FULL(429, "queue_full"), DRAINING(503, "draining"), SHUT_DOWN(503, "shut_down");

        final int status;
        final String reason;

        Refusal(int status, String reason) {
            this.status = status;
            this.reason = reason;
        }
    }

    static final class Refused extends Exception {
        final Refusal refusal;

        Refused(Refusal refusal) {
            super(refusal.reason, null, false, false);
            this.refusal = refusal;
        }
    }

    /** A slot held by one running search; closing it hands the slot to the next in the queue. */
    final class Permit implements AutoCloseable {
        private boolean released;

        @Override
        public void close() {
            lock.lock();
            try {
                if (released) {
                    return;
                }
                released = true;
                running--;
                Waiter next = high.isEmpty() ? normal.poll() : high.poll();
                if (next != null) {
                    running++;
                    next.granted = true;
                    next.signal.signal();
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private final class Waiter {
        final Condition signal = lock.newCondition();
        boolean granted;
        boolean abandoned;
    }

    private final int concurrency;
    private final int capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Waiter> high = new ArrayDeque<>();
    private final ArrayDeque<Waiter> normal = new ArrayDeque<>();
    private int running;
    private boolean draining;

    Admission(int concurrency, int capacity) {
        if (concurrency < 1 || capacity < 0) {
            throw new IllegalArgumentException("concurrency must be at least 1 and capacity non-negative, got "
                    + concurrency + " and " + capacity);
        }
        this.concurrency = concurrency;
        this.capacity = capacity;
    }

    /** Waits for a slot (queued by priority) or is refused at once; interruption leaves the queue. */
    Permit enter(boolean highPriority) throws Refused, InterruptedException {
        lock.lock();
        try {
            if (draining) {
                throw new Refused(Refusal.DRAINING);
            }
            if (running < concurrency && high.isEmpty() && normal.isEmpty()) {
                running++;
                return new Permit();
            }
            if (high.size() + normal.size() >= capacity) {
                throw new Refused(Refusal.QUEUE_FULL);
            }
            Waiter waiter = new Waiter();
            (highPriority ? high : normal).add(waiter);
            changed.signalAll();
            try {
                while (!waiter.granted && !waiter.abandoned) {
                    waiter.signal.await();
                }
            } catch (InterruptedException e) {
                if (waiter.granted) {
                    new Permit().close();
                } else {
                    high.remove(waiter);
                    normal.remove(waiter);
                    changed.signalAll();
                }
                throw e;
            }
            if (waiter.abandoned) {
                throw new Refused(Refusal.SHUT_DOWN);
            }
            return new Permit();
        } finally {
            lock.unlock();
        }
    }

    /** From now on every new request is refused; the queued and running ones go on. */
    void drain() {
        lock.lock();
        try {
            draining = true;
        } finally {
            lock.unlock();
        }
    }

    boolean draining() {
        lock.lock();
        try {
            return draining;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until nothing runs or waits, at most {@code timeout}; whether that happened. */
    boolean awaitIdle(Duration timeout) throws InterruptedException {
        return await(() -> running == 0 && high.isEmpty() && normal.isEmpty(), timeout.toNanos());
    }

    /** Refuses every request still waiting (the grace period is over); running ones are not touched. */
    void abandonQueued() {
        lock.lock();
        try {
            for (ArrayDeque<Waiter> queue : List.of(high, normal)) {
                for (Waiter waiter : queue) {
                    waiter.abandoned = true;
                    waiter.signal.signal();
                }
                queue.clear();
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until {@code count} requests are queued, at most {@code timeout}; for tests and the drain. */
    boolean awaitQueued(int count, long timeout, TimeUnit unit) throws InterruptedException {
        return await(() -> high.size() + normal.size() >= count, unit.toNanos(timeout));
    }

    /** Waits under the lock until {@code reached} holds, at most {@code nanos}; whether it did. */
    private boolean await(BooleanSupplier reached, long nanos) throws InterruptedException {
        long left = nanos;
        lock.lock();
        try {
            while (!reached.getAsBoolean()) {
                if (left <= 0) {
                    return false;
                }
                left = changed.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    int queued() {
        lock.lock();
        try {
            return high.size() + normal.size();
        } finally {
            lock.unlock();
        }
    }

    /** Of the queued requests, those of high priority. */
    int queuedHigh() {
        lock.lock();
        try {
            return high.size();
        } finally {
            lock.unlock();
        }
    }

    int running() {
        lock.lock();
        try {
            return running;
        } finally {
            lock.unlock();
        }
    }

    int concurrency() {
        return concurrency;
    }

    int capacity() {
        return capacity;
    }
}

package io.noisesearch.batching;

import io.noisesearch.backend.Kernels;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Merges the model calls of concurrent searches into shared calls. No thread of its own: the oldest waiting request's
 * thread leads, gathers the requests that arrive while the calls in flight run or within the delay, runs the merged
 * call on its own stream and hands the lead to the oldest request left. It goes at once when every search that may
 * call ({@link #join()}) is waiting, so a lone search is never held; otherwise it waits at most the delay from its
 * own arrival. At most {@code slots} merged calls of a model run at once (on a CPU one per core, so that a merged
 * call does not leave cores idle while the searches it holds wait), and a leader with other slots free takes only its
 * share of the waiting rows, so that the next leader's call runs beside its own.
 *
 * <p>Placement: each request's rows are contiguous, at an even offset, and at most one request of an odd row count
 * goes in a call, last, so that an odd request's unpaired last row stays the unpaired last row of its call (ONNX
 * Runtime's CPU kernels may round such a row apart from the same row inside a pair: docs/architecture.md).
 *
 * <p>A merged call that fails is run again request by request, so that each caller gets its own result or its own
 * error: one bad request cannot fail or hang the others.
 */
public final class Batcher<Q extends Batcher.Request> implements AutoCloseable {

    /** One caller's rows waiting for a call; the state fields are guarded by the batcher's lock. */
    public abstract static class Request {

        final int rows;
        long arrived;
        boolean done;
        RuntimeException failure;

        protected Request(int rows) {
            this.rows = rows;
        }

        public final int rows() {
            return rows;
        }
    }

    /**
     * Runs one call of the requests, their rows placed in list order, on {@code kernels}' stream; {@code slot}
     * (0 until the slot count) is the call's own among those in flight, for its merged buffers.
     */
    @FunctionalInterface
    public interface Call<Q> {
        void run(Kernels kernels, List<Q> requests, int slot);
    }

    /** Time and timed waits; tests give one that advances on each wait instead of sleeping. */
    public interface Clock {

        Clock SYSTEM = new Clock() {
            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public void await(Condition condition, long nanos) throws InterruptedException {
                condition.awaitNanos(nanos);
            }
        };

        long nanoTime();

        /** Waits on {@code condition} (its lock held) for at most {@code nanos}, or until signalled. */
        void await(Condition condition, long nanos) throws InterruptedException;
    }

    private final String model;
    private final Call<Q> call;
    private final int maxRows;
    private final long delayNanos;
    private final int slots;
    private final BatchListener listener;
    private final Clock clock;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Q> pending = new ArrayDeque<>();
    private Q leader;
    /** Slots of no call in flight. */
    private final ArrayDeque<Integer> freeSlots = new ArrayDeque<>();
    private int participants;
    /** Requests in the calls in flight: their searches cannot send more rows until those calls end. */
    private int inCalls;
    private boolean closed;
    private long calls;
    private long rowsCalled;

    /** One merged call at a time. */
    public Batcher(String model, Call<Q> call, int maxRows, long delayMicros, BatchListener listener, Clock clock) {
        this(model, call, maxRows, delayMicros, 1, listener, clock);
    }

    /** At most {@code slots} merged calls at a time. */
    public Batcher(String model, Call<Q> call, int maxRows, long delayMicros, int slots, BatchListener listener,
                   Clock clock) {
        if (maxRows < 1 || delayMicros < 0 || slots < 1) {
            throw new IllegalArgumentException("batcher of " + maxRows + " rows, delay " + delayMicros + " us, "
                    + slots + " calls in flight");
        }
        this.model = model;
        this.call = call;
        this.maxRows = maxRows;
        this.slots = slots;
        for (int i = 0; i < slots; i++) {
            freeSlots.addLast(i);
        }
        this.delayNanos = TimeUnit.MICROSECONDS.toNanos(delayMicros);
        this.listener = listener;
        this.clock = clock;
    }

    /** A search that may call the model until it leaves: while it takes part, a call may wait for its rows. */
    public Participation join() {
        lock.lock();
        try {
            checkOpen();
            participants++;
            return new Participation();
        } finally {
            lock.unlock();
        }
    }

    /** Membership of one search; closing it lets the others' calls go without waiting for it. */
    public final class Participation implements AutoCloseable {

        private boolean left;

        @Override
        public void close() {
            lock.lock();
            try {
                if (!left) {
                    left = true;
                    participants--;
                    changed.signalAll();
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Runs {@code request} in a call of its own or merged with others; returns when its rows are written. Callers
     * on a device backend synchronize their stream first: the merged call reads their rows on another stream.
     */
    public void submit(Q request, Kernels kernels) {
        List<Q> batch;
        int slot;
        lock.lock();
        try {
            checkOpen();
            request.arrived = clock.nanoTime();
            pending.addLast(request);
            if (leader == null) {
                leader = request;
            }
            changed.signalAll();
            boolean interrupted = false;
            while (!request.done && leader != request) {
                changed.awaitUninterruptibly();
            }
            if (!request.done) {
                interrupted = gather(request);
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            if (request.done) {
                rethrow(request);
                return;
            }
            batch = take();
            slot = freeSlots.removeFirst();
            inCalls += batch.size();
            leader = pending.peekFirst();
            calls++;
            rowsCalled += rows(batch);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            runAll(kernels, batch, slot);
        } catch (Error e) {
            // The leader's own error (out of memory) ends its thread; the others must not wait for rows never written.
            for (Q q : batch) {
                if (q != request && q.failure == null) {
                    q.failure = new IllegalStateException("a merged model call of " + model + " failed: " + e, e);
                }
            }
            throw e;
        } finally {
            lock.lock();
            try {
                freeSlots.addLast(slot);
                inCalls -= batch.size();
                batch.forEach(r -> r.done = true);
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
        listener.called(model, (int) rows(batch), batch.size());
        rethrow(request);
    }

    /**
     * The leader's wait (lock held): until a slot is free and either the rows fill a call, every participant not held
     * by a call in flight waits, or the delay since the leader arrived is over. Returns whether the thread was
     * interrupted meanwhile.
     */
    private boolean gather(Q self) {
        boolean interrupted = false;
        while (!closed) {
            long left = self.arrived + delayNanos - clock.nanoTime();
            boolean slotFree = !freeSlots.isEmpty();
            if (slotFree && (left <= 0 || pending.size() >= participants - inCalls || full())) {
                break;
            }
            try {
                if (!slotFree) {
                    changed.await();
                } else {
                    clock.await(changed, left);
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (closed) {
            for (Q q : pending) {
                q.failure = new IllegalStateException("the engine is closed");
                q.done = true;
            }
            pending.clear();
            leader = null;
            changed.signalAll();
        }
        return interrupted;
    }

    /** Whether the waiting requests fill a call, or some of them must wait for the next one anyway. */
    private boolean full() {
        List<Q> next = place(pending, maxRows);
        return next.size() < pending.size() || rows(next) >= maxRows;
    }

    /**
     * The requests the next call takes, in row order: within the row limit and, where other slots are free, within
     * this call's share of the waiting rows (those rows over the free slots, rounded up), so that the rest go at once
     * in a call beside this one rather than after it.
     */
    private List<Q> selection() {
        long free = Math.max(1, freeSlots.size());
        long share = Math.min(maxRows, (rows(pending) + free - 1) / free);
        return place(pending, (int) Math.max(1, share));
    }

    /**
     * The requests of one call from those waiting (oldest first), in row order: the oldest whatever its size, then
     * the others that fit within {@code maxRows}; requests of an even row count first (each at an even offset), at
     * most one of an odd count, last.
     */
    static <Q extends Request> List<Q> place(Iterable<Q> waiting, int maxRows) {
        List<Q> even = new ArrayList<>();
        Q odd = null;
        int rows = 0;
        for (Q q : waiting) {
            boolean first = even.isEmpty() && odd == null;
            if (!first && rows + q.rows > maxRows) {
                continue;
            }
            if (q.rows % 2 == 1) {
                if (odd != null) {
                    continue;
                }
                odd = q;
            } else {
                even.add(q);
            }
            rows += q.rows;
        }
        if (odd != null) {
            even.add(odd);
        }
        return even;
    }

    private List<Q> take() {
        List<Q> batch = selection();
        for (Iterator<Q> it = pending.iterator(); it.hasNext(); ) {
            if (batch.contains(it.next())) {
                it.remove();
            }
        }
        return batch;
    }

    /** The merged call; where it fails with several requests, each runs alone and keeps its own outcome. */
    private void runAll(Kernels kernels, List<Q> batch, int slot) {
        try {
            call.run(kernels, batch, slot);
            return;
        } catch (RuntimeException e) {
            if (batch.size() == 1) {
                batch.getFirst().failure = e;
                return;
            }
        }
        for (Q q : batch) {
            try {
                call.run(kernels, List.of(q), slot);
            } catch (RuntimeException e) {
                q.failure = e;
            }
        }
    }

    private static void rethrow(Request request) {
        if (request.failure != null) {
            throw request.failure;
        }
    }

    private static long rows(Iterable<? extends Request> batch) {
        long rows = 0;
        for (Request r : batch) {
            rows += r.rows;
        }
        return rows;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the engine is closed");
        }
    }

    /** Requests waiting for a call. */
    public int queued() {
        lock.lock();
        try {
            return pending.size();
        } finally {
            lock.unlock();
        }
    }

    /** Merged calls that may run at once. */
    public int slots() {
        return slots;
    }

    /** Model calls made so far. */
    public long calls() {
        lock.lock();
        try {
            return calls;
        } finally {
            lock.unlock();
        }
    }

    /** Rows in those calls. */
    public long rowsCalled() {
        lock.lock();
        try {
            return rowsCalled;
        } finally {
            lock.unlock();
        }
    }

    public boolean closed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /** Later submissions fail; a request still waiting fails with "the engine is closed". */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}

package io.noisesearch.profile;

import java.io.IOException;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Numbered tasks on a fixed number of threads, started in order, their results handed to the calling thread as each
 * finishes (so whatever records them needs no lock). After a failure no further task starts; those running finish
 * and are handed over, then the first failure is thrown as it was.
 */
final class Workers implements AutoCloseable {

    /** Task {@code index}'s work, on a worker thread. */
    interface Task<T> {
        T run(int index);
    }

    /** What the calling thread does with a finished task's result. */
    interface Finished<T> {
        void accept(int index, T result) throws IOException;
    }

    private record Done<T>(int index, T result) {
    }

    private final ExecutorService executor;

    Workers(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("workers must be at least 1, got " + threads);
        }
        executor = Executors.newFixedThreadPool(threads, runnable -> {
            Thread thread = new Thread(runnable, "noisesearch-profile");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Runs tasks 0 .. {@code tasks - 1}; returns when every started task has finished and been handed over. */
    <T> void run(int tasks, Task<T> task, Finished<T> finished) throws IOException {
        AtomicBoolean stopped = new AtomicBoolean();
        CompletionService<Done<T>> done = new ExecutorCompletionService<>(executor);
        for (int i = 0; i < tasks; i++) {
            int index = i;
            done.submit(() -> stopped.get() ? null : new Done<>(index, task.run(index)));
        }
        Throwable failure = null;
        boolean recording = true;
        for (int n = 0; n < tasks; n++) {
            Future<Done<T>> next = take(done, stopped);
            try {
                Done<T> result = next.get();
                if (result != null && recording) {
                    finished.accept(result.index(), result.result());
                }
            } catch (ExecutionException e) {
                stopped.set(true);
                failure = failure == null ? e.getCause() : failure;
            } catch (IOException | RuntimeException | Error e) {
                stopped.set(true);
                recording = false;
                failure = failure == null ? e : failure;
            } catch (InterruptedException e) {
                stopped.set(true);
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the sweep ran", e);
            }
        }
        switch (failure) {
            case null -> {
            }
            case IOException e -> throw e;
            case RuntimeException e -> throw e;
            case Error e -> throw e;
            default -> throw new IllegalStateException(failure);
        }
    }

    private static <T> Future<Done<T>> take(CompletionService<Done<T>> done, AtomicBoolean stopped) {
        try {
            return done.take();
        } catch (InterruptedException e) {
            stopped.set(true);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the sweep ran", e);
        }
    }

    /** Every task has been handed over by now, so the threads are idle. */
    @Override
    public void close() {
        executor.shutdownNow();
    }
}

package io.noisesearch.batching;

import io.noisesearch.backend.JavaBackend;
import io.noisesearch.backend.Kernels;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The batcher's rules, checked by the calls it makes and a clock it is given, never by wall time. */
class BatcherTest {

    private static final Kernels KERNELS = new JavaBackend().openStream(1);

    /** A request that names itself; a call records the names it ran, in row order. */
    private static final class Named extends Batcher.Request {
        final String name;

        Named(String name, int rows) {
            super(rows);
            this.name = name;
        }
    }

    /** A clock that moves only when the batcher waits, by what it asked to wait: the waits add up exactly. */
    private static final class StepClock implements Batcher.Clock {
        long now;
        long waited;

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public void await(Condition condition, long nanos) {
            now += nanos;
            waited += nanos;
        }
    }

    private final List<List<String>> calls = Collections.synchronizedList(new ArrayList<>());

    /** A thread per caller: the common pool may have one thread, and a caller blocks until the others come. */
    private static CompletableFuture<Void> onItsOwnThread(Runnable caller) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            try {
                caller.run();
                done.complete(null);
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    private Batcher<Named> batcher(int maxRows, long delayMicros, Batcher.Clock clock) {
        return new Batcher<>("m", (kernels, requests, slot) -> calls.add(requests.stream().map(r -> r.name).toList()),
                maxRows, delayMicros, BatchListener.NONE, clock);
    }

    @Test
    void aLoneSearchIsNeverHeld() {
        StepClock clock = new StepClock();
        Batcher<Named> batcher = batcher(64, 500, clock);
        try (var alone = batcher.join()) {
            for (int i = 0; i < 3; i++) {
                batcher.submit(new Named("a" + i, 4), KERNELS);
            }
        }
        assertThat(clock.waited).isZero();
        assertThat(calls).containsExactly(List.of("a0"), List.of("a1"), List.of("a2"));
    }

    @Test
    void aRequestWaitsForAnIdleParticipantAtMostTheDelay() {
        StepClock clock = new StepClock();
        Batcher<Named> batcher = batcher(64, 300, clock);
        try (var caller = batcher.join(); var idle = batcher.join()) {
            batcher.submit(new Named("a", 4), KERNELS);
            assertThat(clock.waited).isEqualTo(TimeUnit.MICROSECONDS.toNanos(300));
            clock.now += 1_000_000;
            batcher.submit(new Named("b", 4), KERNELS);
            assertThat(clock.waited).isEqualTo(TimeUnit.MICROSECONDS.toNanos(600));
        }
        assertThat(calls).containsExactly(List.of("a"), List.of("b"));
    }

    @Test
    void aZeroDelayNeverWaits() {
        StepClock clock = new StepClock();
        Batcher<Named> batcher = batcher(64, 0, clock);
        try (var caller = batcher.join(); var idle = batcher.join()) {
            batcher.submit(new Named("a", 4), KERNELS);
        }
        assertThat(clock.waited).isZero();
    }

    @Test
    void concurrentRequestsOfEveryParticipantRunAsOneCall() throws Exception {
        Batcher<Named> batcher = batcher(64, 60_000_000, Batcher.Clock.SYSTEM);
        int n = 6;
        List<Batcher<Named>.Participation> members = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            members.add(batcher.join());
        }
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Named request = new Named("r" + i, 2);
            done.add(onItsOwnThread(() -> batcher.submit(request, KERNELS)));
        }
        for (CompletableFuture<Void> f : done) {
            f.get(60, TimeUnit.SECONDS);
        }
        members.forEach(Batcher.Participation::close);
        assertThat(calls).hasSize(1);
        assertThat(calls.getFirst()).containsExactlyInAnyOrder("r0", "r1", "r2", "r3", "r4", "r5");
        assertThat(batcher.calls()).isEqualTo(1);
        assertThat(batcher.rowsCalled()).isEqualTo(12);
    }

    /**
     * Each request a search of its own: joined before any submits, submitting from a thread of its own, leaving once
     * its rows are back. Returns when every one is under way.
     */
    private static List<CompletableFuture<Void>> submitTogether(Batcher<Named> batcher, List<Named> requests)
            throws InterruptedException {
        List<Batcher<Named>.Participation> members = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            members.add(batcher.join());
        }
        CountDownLatch started = new CountDownLatch(requests.size());
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            Named request = requests.get(i);
            Batcher<Named>.Participation member = members.get(i);
            done.add(onItsOwnThread(() -> {
                started.countDown();
                try (member) {
                    batcher.submit(request, KERNELS);
                }
            }));
        }
        started.await();
        return done;
    }

    @Test
    void withTwoSlotsTheWaitingRowsSplitIntoTwoCallsThatRunAtOnce() throws Exception {
        // Each call waits inside until the other is inside too: only two calls in flight at once get through.
        CyclicBarrier bothInside = new CyclicBarrier(2);
        Set<Integer> slots = ConcurrentHashMap.newKeySet();
        Batcher<Named> batcher = new Batcher<>("m", (kernels, requests, slot) -> {
            slots.add(slot);
            try {
                bothInside.await(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("the other call never ran beside this one", e);
            }
            calls.add(requests.stream().map(r -> r.name).toList());
        }, 64, 60_000_000, 2, BatchListener.NONE, Batcher.Clock.SYSTEM);
        List<CompletableFuture<Void>> done = submitTogether(batcher,
                List.of(new Named("a", 2), new Named("b", 2), new Named("c", 2), new Named("d", 2)));
        for (CompletableFuture<Void> f : done) {
            f.get(60, TimeUnit.SECONDS);
        }
        // 8 rows over 2 free slots: 4 rows a call, the second leader going at once (the others are held by calls).
        assertThat(calls).hasSize(2).allSatisfy(call -> assertThat(call).hasSize(2));
        assertThat(calls.stream().flatMap(List::stream)).containsExactlyInAnyOrder("a", "b", "c", "d");
        assertThat(slots).containsExactlyInAnyOrder(0, 1);
    }

    @Test
    void oneSlotRunsOneCallAtATime() throws Exception {
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        Batcher<Named> batcher = new Batcher<>("m", (kernels, requests, slot) -> {
            most.accumulateAndGet(inside.incrementAndGet(), Math::max);
            Thread.yield();
            calls.add(requests.stream().map(r -> r.name).toList());
            inside.decrementAndGet();
        }, 2, 0, 1, BatchListener.NONE, Batcher.Clock.SYSTEM);
        List<Named> requests = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            requests.add(new Named("r" + i, 2));
        }
        for (CompletableFuture<Void> f : submitTogether(batcher, requests)) {
            f.get(60, TimeUnit.SECONDS);
        }
        assertThat(calls.stream().flatMap(List::stream)).hasSize(8);
        assertThat(most.get()).isEqualTo(1);
    }

    @Test
    void aBatcherNeedsAtLeastOneSlot() {
        assertThatThrownBy(() -> new Batcher<Named>("m", (kernels, requests, slot) -> { }, 4, 0, 0, BatchListener.NONE,
                Batcher.Clock.SYSTEM)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("in flight");
    }

    @Test
    void evenRequestsGoFirstAndOneOddRequestLastWithinTheRowLimit() {
        Named odd3 = new Named("odd3", 3);
        Named even2 = new Named("even2", 2);
        Named odd1 = new Named("odd1", 1);
        Named even4 = new Named("even4", 4);
        Named even6 = new Named("even6", 6);
        // 3 + 2 + 4 = 9 rows: odd1 would be a second odd request, even6 would pass 10 rows; both wait.
        assertThat(Batcher.place(List.of(odd3, even2, odd1, even4, even6), 10)).containsExactly(even2, even4, odd3);
        assertThat(Batcher.place(List.of(odd1, even6), 10)).containsExactly(even6, odd1);
        // The oldest request goes even where it alone passes the limit.
        assertThat(Batcher.place(List.of(even6, even4), 4)).containsExactly(even6);
    }

    @Test
    void requestsLeftOutOfAFullCallRunInTheNextOnes() throws Exception {
        Batcher<Named> batcher = batcher(4, 60_000_000, Batcher.Clock.SYSTEM);
        List<CompletableFuture<Void>> done = submitTogether(batcher,
                List.of(new Named("a", 2), new Named("b", 2), new Named("c", 2), new Named("d", 1)));
        for (CompletableFuture<Void> f : done) {
            f.get(60, TimeUnit.SECONDS);
        }
        assertThat(calls.stream().flatMap(List::stream)).containsExactlyInAnyOrder("a", "b", "c", "d");
        assertThat(calls).allSatisfy(call -> assertThat(call.size()).isLessThanOrEqualTo(2));
    }

    @Test
    void aFailingRequestFailsAloneAndTheOthersGetTheirRows() throws Exception {
        Batcher<Named> batcher = new Batcher<>("m", (kernels, requests, slot) -> {
            if (requests.stream().anyMatch(r -> r.name.equals("bad"))) {
                throw new IllegalStateException("bad rows");
            }
            calls.add(requests.stream().map(r -> r.name).toList());
        }, 64, 60_000_000, BatchListener.NONE, Batcher.Clock.SYSTEM);
        List<CompletableFuture<Void>> done = submitTogether(batcher,
                List.of(new Named("good1", 2), new Named("bad", 2), new Named("good2", 2)));
        assertThatThrownBy(() -> done.get(1).get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasRootCauseMessage("bad rows");
        done.get(0).get(60, TimeUnit.SECONDS);
        done.get(2).get(60, TimeUnit.SECONDS);
        assertThat(calls.stream().flatMap(List::stream)).containsExactlyInAnyOrder("good1", "good2");
    }

    @Test
    void aFailingModelReachesEveryCallerAndHangsNone() throws Exception {
        Batcher<Named> batcher = new Batcher<>("m", (kernels, requests, slot) -> {
            throw new IllegalStateException("model down");
        }, 64, 60_000_000, BatchListener.NONE, Batcher.Clock.SYSTEM);
        List<CompletableFuture<Void>> done = submitTogether(batcher,
                List.of(new Named("a", 2), new Named("b", 3), new Named("c", 2)));
        for (CompletableFuture<Void> f : done) {
            assertThatThrownBy(() -> f.get(60, TimeUnit.SECONDS)).hasRootCauseMessage("model down");
        }
    }

    @Test
    void aClosedBatcherRefusesCallsAndMembers() {
        Batcher<Named> batcher = batcher(64, 100, Batcher.Clock.SYSTEM);
        var member = batcher.join();
        batcher.close();
        assertThatThrownBy(() -> batcher.submit(new Named("late", 1), KERNELS))
                .hasMessageContaining("the engine is closed");
        assertThatThrownBy(batcher::join).hasMessageContaining("the engine is closed");
        member.close();
        assertThat(calls).isEmpty();
    }

    @Test
    void closingReleasesARequestWaitingForOthers() throws Exception {
        Batcher<Named> batcher = batcher(64, 60_000_000, Batcher.Clock.SYSTEM);
        var caller = batcher.join();
        var idle = batcher.join();
        CompletableFuture<Void> waiting = onItsOwnThread(() -> batcher.submit(new Named("w", 2), KERNELS));
        while (batcher.queued() < 1) {
            Thread.onSpinWait();
        }
        batcher.close();
        assertThatThrownBy(() -> waiting.get(60, TimeUnit.SECONDS)).hasRootCauseMessage("the engine is closed");
        caller.close();
        idle.close();
    }
}

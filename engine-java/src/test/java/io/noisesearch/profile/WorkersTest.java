package io.noisesearch.profile;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Tasks run on the workers' threads; their results reach the calling thread; a failure stops the tasks not begun. */
class WorkersTest {

    @Test
    void everyResultReachesTheCallingThreadOnce() throws Exception {
        Thread caller = Thread.currentThread();
        List<Integer> handed = new ArrayList<>();
        List<Thread> ranOn = new ArrayList<>();
        try (Workers workers = new Workers(3)) {
            workers.run(20, i -> {
                synchronized (ranOn) {
                    ranOn.add(Thread.currentThread());
                }
                return i * i;
            }, (i, square) -> {
                assertThat(Thread.currentThread()).isSameAs(caller);
                assertThat(square).isEqualTo(i * i);
                handed.add(i);
            });
        }
        assertThat(handed).containsExactlyInAnyOrderElementsOf(IntStream.range(0, 20).boxed().toList());
        assertThat(ranOn).doesNotContain(caller);
    }

    @Test
    void twoWorkersRunTwoTasksAtOnce() throws Exception {
        // Task 0 can only finish once task 1 has begun: with one thread at a time it would wait out its minute.
        CountDownLatch secondBegun = new CountDownLatch(1);
        List<Boolean> sawSecond = new ArrayList<>();
        try (Workers workers = new Workers(2)) {
            workers.run(2, i -> {
                if (i == 1) {
                    secondBegun.countDown();
                    return true;
                }
                try {
                    return secondBegun.await(1, TimeUnit.MINUTES);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, (i, result) -> sawSecond.add(result));
        }
        assertThat(sawSecond).containsExactly(true, true);
    }

    @Test
    void aFailureStopsTheTasksNotBegunAndIsThrownAsItWas() {
        AtomicInteger ran = new AtomicInteger();
        List<Integer> handed = new ArrayList<>();
        IllegalArgumentException bad = new IllegalArgumentException("bad configuration");
        try (Workers workers = new Workers(1)) {
            assertThatThrownBy(() -> workers.run(6, i -> {
                ran.incrementAndGet();
                if (i == 2) {
                    throw bad;
                }
                return i;
            }, (i, result) -> handed.add(result))).isSameAs(bad);
        }
        assertThat(handed).containsExactly(0, 1);
        assertThat(ran).hasValue(3);
    }

    @Test
    void noWorkerIsAnError() {
        assertThatThrownBy(() -> new Workers(0)).isInstanceOf(IllegalArgumentException.class);
    }
}

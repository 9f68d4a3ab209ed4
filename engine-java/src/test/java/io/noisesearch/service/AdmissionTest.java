package io.noisesearch.service;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AdmissionTest {

    @Test
    void highPriorityRunsBeforeNormalAndNormalInArrivalOrder() throws Exception {
        Admission admission = new Admission(1, 8);
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        try (Admission.Permit held = admission.enter(false)) {
            String[][] arrivals = {{"normal-1", "n"}, {"normal-2", "n"}, {"high-1", "h"}, {"normal-3", "n"},
                    {"high-2", "h"}};
            for (int i = 0; i < arrivals.length; i++) {
                String name = arrivals[i][0];
                boolean high = arrivals[i][1].equals("h");
                threads.add(Thread.ofVirtual().start(() -> {
                    try (Admission.Permit permit = admission.enter(high)) {
                        order.add(name);
                    } catch (Exception e) {
                        order.add(name + " failed: " + e);
                    }
                }));
                assertThat(admission.awaitQueued(i + 1, 30, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(order).isEmpty();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(order).containsExactly("high-1", "high-2", "normal-1", "normal-2", "normal-3");
        assertThat(admission.running()).isZero();
    }

    @Test
    void fullQueueRefusesAtOnce() throws Exception {
        Admission admission = new Admission(1, 1);
        try (Admission.Permit held = admission.enter(false)) {
            Thread waiting = Thread.ofVirtual().start(() -> {
                try (Admission.Permit permit = admission.enter(false)) {
                    assertThat(permit).isNotNull();
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            assertThat(admission.awaitQueued(1, 30, TimeUnit.SECONDS)).isTrue();
            assertThatThrownBy(() -> admission.enter(true)).isInstanceOfSatisfying(Admission.Refused.class,
                    e -> assertThat(e.refusal).isEqualTo(Admission.Refusal.QUEUE_FULL));
            held.close();
            waiting.join();
        }
        assertThat(admission.awaitIdle(Duration.ofSeconds(30))).isTrue();
    }

    @Test
    void drainingRefusesNewRequestsAndAbandonsTheQueuedOnesOnlyWhenAsked() throws Exception {
        Admission admission = new Admission(1, 4);
        Admission.Permit held = admission.enter(false);
        List<String> outcomes = Collections.synchronizedList(new ArrayList<>());
        Thread queued = Thread.ofVirtual().start(() -> {
            try (Admission.Permit permit = admission.enter(false)) {
                outcomes.add("ran");
            } catch (Admission.Refused e) {
                outcomes.add(e.refusal.reason);
            } catch (InterruptedException e) {
                outcomes.add("interrupted");
            }
        });
        assertThat(admission.awaitQueued(1, 30, TimeUnit.SECONDS)).isTrue();
        admission.drain();
        assertThatThrownBy(() -> admission.enter(true)).isInstanceOfSatisfying(Admission.Refused.class,
                e -> assertThat(e.refusal).isEqualTo(Admission.Refusal.DRAINING));
        assertThat(admission.awaitIdle(Duration.ZERO)).isFalse();
        admission.abandonQueued();
        queued.join();
        assertThat(outcomes).containsExactly("shut_down");
        assertThat(admission.running()).isEqualTo(1);
        held.close();
        assertThat(admission.awaitIdle(Duration.ZERO)).isTrue();
    }

    @Test
    void anInterruptedWaiterLeavesTheQueue() throws Exception {
        Admission admission = new Admission(1, 1);
        try (Admission.Permit held = admission.enter(false)) {
            Thread waiting = Thread.ofVirtual().start(() -> {
                try (Admission.Permit permit = admission.enter(false)) {
                    throw new AssertionError("admitted while the slot was held");
                } catch (InterruptedException expected) {
                    // leaves the queue
                } catch (Admission.Refused e) {
                    throw new AssertionError(e);
                }
            });
            assertThat(admission.awaitQueued(1, 30, TimeUnit.SECONDS)).isTrue();
            waiting.interrupt();
            waiting.join();
            assertThat(admission.queued()).isZero();
        }
        assertThat(admission.running()).isZero();
    }
}

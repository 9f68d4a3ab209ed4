package io.noisesearch.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.noisesearch.backend.TransferMeter.Direction;
import io.noisesearch.backend.TransferMeter.Payload;
import io.noisesearch.compute.ComputeMeter;
import io.noisesearch.compute.Phase;
import io.noisesearch.engine.Engine;
import io.noisesearch.search.RandomSearch;
import io.noisesearch.search.SearchRequest;
import io.noisesearch.search.SearchResult;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Per-request transfer counts: each request sees its own thread's copies, in the phase its compute meter is in. */
class TransferMeterTest {

    @Test
    void requestsOnTwoThreadsCountOnlyTheirOwnCopiesAndTheMeterCountsAll() throws Exception {
        TransferMeter meter = new TransferMeter();
        CountDownLatch bothOpen = new CountDownLatch(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Transfers> first = pool.submit(() -> request(meter, bothOpen, 100, 3));
            Future<Transfers> second = pool.submit(() -> request(meter, bothOpen, 7, 5));
            Transfers a = first.get();
            Transfers b = second.get();

            assertThat(a.device()).isTrue();
            assertThat(a.bytes(Phase.SEARCH, Direction.DOWNLOAD, Payload.ARGUMENT)).isEqualTo(300);
            assertThat(a.copies(Phase.SEARCH, Direction.DOWNLOAD, Payload.ARGUMENT)).isEqualTo(3);
            assertThat(a.bytes(Phase.FINAL, Direction.DOWNLOAD, Payload.TENSOR)).isEqualTo(1024);
            assertThat(a.bytes(Phase.SEARCH, Direction.DOWNLOAD, Payload.TENSOR)).isZero();
            assertThat(b.bytes(Phase.SEARCH, Direction.DOWNLOAD, Payload.ARGUMENT)).isEqualTo(35);
            assertThat(b.copies(Phase.SEARCH, Direction.DOWNLOAD, Payload.ARGUMENT)).isEqualTo(5);
            assertThat(b.bytes(Direction.DOWNLOAD, Payload.TENSOR)).isEqualTo(1024);
            assertThat(meter.bytes(Phase.SEARCH, Direction.DOWNLOAD, Payload.ARGUMENT)).isEqualTo(335);
            assertThat(meter.bytes(Direction.DOWNLOAD, Payload.TENSOR)).isEqualTo(2048);
        } finally {
            pool.shutdownNow();
        }
    }

    /** One request: {@code count} argument downloads of {@code size} bytes searching, then a 1 KiB winner. */
    private static Transfers request(TransferMeter meter, CountDownLatch bothOpen, int size, int count)
            throws InterruptedException {
        try (TransferMeter.Request request = meter.begin()) {
            ComputeMeter compute = new ComputeMeter(meter::enter);
            bothOpen.countDown();
            bothOpen.await();
            for (int i = 0; i < count; i++) {
                meter.count(Direction.DOWNLOAD, Payload.ARGUMENT, size);
            }
            compute.enter(Phase.FINAL);
            meter.count(Direction.DOWNLOAD, Payload.TENSOR, 1024);
            return request.snapshot();
        }
    }

    @Test
    void copiesOutsideARequestCountOnlyInTheMeterAndRequestsDoNotNest() {
        TransferMeter meter = new TransferMeter();
        meter.count(Direction.UPLOAD, Payload.TENSOR, 4096); // model parameters, before any request
        try (TransferMeter.Request request = meter.begin()) {
            assertThatThrownBy(meter::begin).isInstanceOf(IllegalStateException.class);
            meter.count(Direction.UPLOAD, Payload.ARGUMENT, 16);
            assertThat(request.snapshot().bytes(Direction.UPLOAD, Payload.TENSOR)).isZero();
            assertThat(request.snapshot().bytes(Direction.UPLOAD, Payload.ARGUMENT)).isEqualTo(16);
        }
        try (TransferMeter.Request next = meter.begin()) {
            assertThat(next.snapshot().bytes(Direction.UPLOAD, Payload.ARGUMENT)).as("a new request starts at 0")
                    .isZero();
        }
        assertThat(meter.bytes(Direction.UPLOAD, Payload.TENSOR)).isEqualTo(4096);
    }

    @Test
    void hostSearchesReportNoTransfers() {
        try (Engine engine = Engine.open("cpu", 1)) {
            SearchResult result = engine.search(SearchRequest.of("gmm-image", 2, new RandomSearch(4), "oracle", 5));
            assertThat(result.backend()).isEqualTo("host");
            assertThat(result.transfers().device()).isFalse();
            assertThat(result.transfers().bytes()).containsOnly(0L);
        }
    }
}

package io.noisesearch.sampling;

import io.noisesearch.schedule.SolverKind;

import static org.assertj.core.api.Assertions.assertThat;

import io.noisesearch.backend.Backend;
import io.noisesearch.backend.Backends;
import io.noisesearch.backend.Batch;
import io.noisesearch.backend.Kernels;
import io.noisesearch.compute.ComputeMeter;
import io.noisesearch.model.BuiltinModels;
import io.noisesearch.model.Denoiser;
import io.noisesearch.model.MixtureDenoiser;
import io.noisesearch.model.ModelInfo;
import java.lang.foreign.Arena;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Graph recording in the sampler, on a stand-in for a CUDA stream: {@link Recorder} records calls instead of running
 * them while capturing (and refuses Java-array arguments and synchronization, as CUDA stream capture does), and
 * replays them on the host kernels. Graph solves must equal direct solves bit for bit and charge the same compute.
 */
class SamplerGraphTest {

    private static final int DIM = 256;

    private final Backend backend = Backends.open("cpu");
    private final Arena arena = Arena.ofConfined();
    private final Kernels host = backend.openStream(1);
    private final Recorder recorder = new Recorder(host);
    private final Kernels recording = recorder.kernels();
    private final MixtureDenoiser mixture = BuiltinModels.open("gmm-image", backend, arena);

    @AfterEach
    void close() {
        host.close();
        arena.close();
        backend.close();
    }

    /** Records a stream's calls while capturing; a graph replays them on the host kernels. */
    static final class Recorder {
        final Kernels delegate;
        List<Object[]> recording;
        int captures;

        Recorder(Kernels delegate) {
            this.delegate = delegate;
        }

        Kernels kernels() {
            return (Kernels) Proxy.newProxyInstance(Kernels.class.getClassLoader(), new Class<?>[] {Kernels.class},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "canCapture" -> true;
                        case "capture" -> capture((Runnable) args[1]);
                        default -> call(method, args);
                    });
        }

        private Kernels.Graph capture(Runnable issue) {
            List<Object[]> calls = new ArrayList<>();
            recording = calls;
            try {
                issue.run();
            } finally {
                recording = null;
            }
            captures++;
            return () -> calls.forEach(call -> invoke((Method) call[0], (Object[]) call[1]));
        }

        private Object call(Method method, Object[] args) {
            if (recording == null) {
                return invoke(method, args);
            }
            if (method.getName().equals("synchronize")) {
                throw new IllegalStateException("synchronize inside a capture");
            }
            for (Object arg : args == null ? new Object[0] : args) {
                if (arg != null && arg.getClass().isArray()) {
                    throw new IllegalStateException(method.getName() + ": a Java array cannot be captured");
                }
            }
            recording.add(new Object[] {method, args});
            return null;
        }

        private Object invoke(Method method, Object[] args) {
            try {
                return method.invoke(delegate, args);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            } catch (InvocationTargetException e) {
                throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            }
        }
    }

    /** The mixture denoiser under another capability, or issuing an array call that cannot be recorded. */
    private record Wrapped(MixtureDenoiser inner, boolean capturable, boolean arrayCall) implements Denoiser {
        @Override
        public ModelInfo info() {
            return inner.info();
        }

        @Override
        public boolean capturable() {
            return capturable;
        }

        @Override
        public void predict(Kernels kernels, Batch x, double t, int label, Batch out) {
            inner.predict(kernels, x, t, label, out);
            if (arrayCall) {
                kernels.rowNorm(out, new float[out.rows()]);
            }
        }
    }

    private record Run(float[] samples, float[] captured, long nfe, long flops, int graphs, int launches) {
    }

    /** Solves 64 noises in chunks of {@code chunk} rows, capturing x0 at t = 0.4, guidance 2, Heun 10 steps. */
    private Run run(Denoiser model, Kernels kernels, boolean graphs, int chunk) {
        ComputeMeter meter = new ComputeMeter();
        GuidedDenoiser guided = new GuidedDenoiser(model, 3, 2.0, meter);
        try (Arena scratch = Arena.ofConfined()) {
            Sampler sampler = new Sampler(guided, backend, kernels, scratch, 16, graphs);
            Batch x = backend.allocate(scratch, 64, DIM);
            Batch captured = backend.allocate(scratch, 64, DIM);
            host.gaussianNoise(x, 11, 0);
            double[] grid = model.info().schedule().grid(1, 0, 10);
            for (int start = 0; start < 64; start += chunk) {
                int n = Math.min(chunk, 64 - start);
                sampler.solve(x.rows(start, n), grid, SolverKind.HEUN,
                        new Sampler.Capture(0.4, captured.rows(start, n)));
            }
            host.synchronize();
            return new Run(backend.download(x), backend.download(captured), meter.snapshot().searchNfe(),
                    meter.snapshot().flops(), sampler.graphsRecorded(), sampler.graphLaunches());
        }
    }

    @Test
    void aRecordedSolveReplaysBitForBitAndChargesTheSameCompute() {
        Run direct = run(mixture, host, false, 16);
        Run graphs = run(mixture, recording, true, 16);

        assertThat(graphs.samples()).isEqualTo(direct.samples());
        assertThat(graphs.captured()).isEqualTo(direct.captured());
        assertThat(graphs.nfe()).isEqualTo(direct.nfe()).isEqualTo(64 * 19);
        assertThat(graphs.flops()).isEqualTo(direct.flops());
        assertThat(graphs.graphs()).as("one shape, one recording").isEqualTo(1);
        assertThat(graphs.launches()).isEqualTo(4);
        assertThat(direct.graphs()).isZero();
    }

    @Test
    void eachShapeIsRecordedOnce() {
        Run direct = run(mixture, host, false, 12);
        Run graphs = run(mixture, recording, true, 12); // chunks of 12, 12, 12, 12, 12 and 4 rows

        assertThat(graphs.samples()).isEqualTo(direct.samples());
        assertThat(graphs.graphs()).isEqualTo(2);
        assertThat(graphs.launches()).isEqualTo(6);
        assertThat(recorder.captures).isEqualTo(2);
    }

    @Test
    void modelsThatAreNotCapturableSolveDirectly() {
        Run direct = run(mixture, host, false, 16);
        Run run = run(new Wrapped(mixture, false, false), recording, true, 16);

        assertThat(run.samples()).isEqualTo(direct.samples());
        assertThat(run.graphs()).isZero();
        assertThat(recorder.captures).isZero();
    }

    @Test
    void aFailedRecordingFallsBackToDirectCallsWithoutChargingTwice() {
        Run direct = run(new Wrapped(mixture, true, true), host, false, 16);
        Run run = run(new Wrapped(mixture, true, true), recording, true, 16);

        assertThat(run.samples()).isEqualTo(direct.samples());
        assertThat(run.nfe()).isEqualTo(direct.nfe());
        assertThat(run.graphs()).isZero();
        assertThat(run.launches()).isZero();
    }
    /** Solves 16 noises of {@code seed} for {@code label} in {@code space} (one chunk): samples and NFEs charged. */
    private Run solveIn(Sampler.Workspace space, Kernels kernels, boolean graphs, int label, long seed, int rows) {
        ComputeMeter meter = new ComputeMeter();
        Sampler sampler = new Sampler(new GuidedDenoiser(mixture, label, 2.0, meter), kernels, space, graphs);
        try (Arena scratch = Arena.ofConfined()) {
            Batch x = backend.allocate(scratch, rows, DIM);
            host.gaussianNoise(x, seed, 0);
            sampler.solve(x, mixture.info().schedule().grid(1, 0, 6), SolverKind.HEUN);
            host.synchronize();
            return new Run(backend.download(x), null, meter.snapshot().searchNfe(), meter.snapshot().flops(),
                    sampler.graphsRecorded(), sampler.graphLaunches());
        }
    }

    @Test
    void laterSamplersInAWorkspaceReplayItsGraphsAndNewLabelsRecordTheirOwn() {
        try (Sampler.Workspace direct = new Sampler.Workspace(backend, 16, DIM);
             Sampler.Workspace space = new Sampler.Workspace(backend, 16, DIM)) {
            Run first = solveIn(space, recording, true, 3, 21, 16);
            Run second = solveIn(space, recording, true, 3, 22, 16);
            Run otherLabel = solveIn(space, recording, true, 5, 22, 16);

            assertThat(first.graphs()).isEqualTo(1);
            assertThat(second.graphs()).as("the first sampler's graph is replayed").isZero();
            assertThat(second.launches()).isEqualTo(1);
            assertThat(otherLabel.graphs()).as("the label is a kernel argument of the graph").isEqualTo(1);
            assertThat(recorder.captures).isEqualTo(2);
            assertThat(space.graphs()).isEqualTo(2);
            Run secondDirect = solveIn(direct, host, false, 3, 22, 16);
            Run otherLabelDirect = solveIn(direct, host, false, 5, 22, 16);
            assertThat(second.samples()).isEqualTo(secondDirect.samples());
            assertThat(second.nfe()).isEqualTo(secondDirect.nfe()).isEqualTo(16 * 11);
            assertThat(second.flops()).isEqualTo(secondDirect.flops());
            assertThat(otherLabel.samples()).isEqualTo(otherLabelDirect.samples());
        }
    }

    @Test
    void aWorkspaceKeepsAtMostItsCapOfGraphs() {
        try (Sampler.Workspace space = new Sampler.Workspace(backend, Sampler.MAX_GRAPHS + 4, DIM)) {
            for (int rows = 1; rows <= Sampler.MAX_GRAPHS + 4; rows++) {
                solveIn(space, recording, true, 3, rows, rows);
            }
            assertThat(recorder.captures).isEqualTo(Sampler.MAX_GRAPHS + 4);
            assertThat(space.graphs()).isEqualTo(Sampler.MAX_GRAPHS);
            // The oldest shape was dropped: solving it again records it again.
            solveIn(space, recording, true, 3, 1, 1);
            assertThat(recorder.captures).isEqualTo(Sampler.MAX_GRAPHS + 5);
        }
    }

    @Test
    void aWorkspaceRefusesAModelOfAnotherDimension() {
        try (Sampler.Workspace space = new Sampler.Workspace(backend, 4, DIM + 1)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                    new Sampler(new GuidedDenoiser(mixture, 3, 2.0, new ComputeMeter()), host, space, true))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dimension " + (DIM + 1));
        }
    }
}

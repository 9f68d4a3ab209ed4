package io.noisesearch.profile;

import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;
import java.io.PrintWriter;

/**
 * Where a sweep reports its progress: plain lines (pipes, CI, tests), or on a terminal the same lines above a progress
 * bar with elapsed time and ETA, its length the run's planned work ({@link Progress}'s weights).
 */
public sealed interface ProgressDisplay extends AutoCloseable {

    /** Lines only, one per call, flushed. */
    static ProgressDisplay lines(PrintWriter out) {
        return new Lines(out);
    }

    /** Lines above a bar redrawn in place on {@code terminal}, {@code columns} wide at most. */
    static ProgressDisplay bar(PrintStream terminal, int columns) {
        return new Bar(terminal, columns);
    }

    /** Prints a line (above the bar, if any). */
    void line(String text);

    /** The run's planned work begins: {@code total} units of it. */
    void start(double total);

    /** {@code done} of the planned work is finished; {@code status} says so in words ("3/10 configurations"). */
    void advance(double done, String status);

    @Override
    void close();

    /** Lines on a writer; no bar. */
    final class Lines implements ProgressDisplay {

        private final PrintWriter out;

        private Lines(PrintWriter out) {
            this.out = out;
        }

        @Override
        public void line(String text) {
            out.println(text);
            out.flush();
        }

        @Override
        public void start(double total) {
        }

        @Override
        public void advance(double done, String status) {
        }

        @Override
        public void close() {
            out.flush();
        }
    }

    /**
     * The bar's renderer (progressbar's own thread) and the lines share the terminal: each draws over the current
     * line ("\r", then erase to its end), and a line is followed by the bar drawn again beneath it.
     */
    final class Bar implements ProgressDisplay {

        /** ANSI: erase from the cursor to the end of the line. */
        private static final String ERASE = "\033[K";

        private final PrintStream terminal;
        private final int columns;
        private ProgressBar bar;
        private String drawn = "";

        private Bar(PrintStream terminal, int columns) {
            this.terminal = terminal;
            this.columns = columns;
        }

        @Override
        public synchronized void line(String text) {
            terminal.print("\r" + ERASE + text + "\n" + drawn);
            terminal.flush();
        }

        @Override
        public void start(double total) {
            // The planned work is about the NFEs of every sample: counted in NFEs, in thousands past 100,000.
            boolean thousands = total > 100_000;
            bar = new ProgressBarBuilder().setTaskName("profile").setInitialMax(Math.max(1, Math.round(total)))
                    .setUnit(thousands ? "k NFEs" : " NFEs", thousands ? 1000 : 1).setStyle(ProgressBarStyle.ASCII)
                    .setUpdateIntervalMillis(500).setConsumer(new DelegatingProgressBarConsumer(this::draw, columns))
                    .build();
        }

        private synchronized void draw(String rendered) {
            drawn = rendered;
            terminal.print("\r" + ERASE + rendered);
            terminal.flush();
        }

        @Override
        public void advance(double done, String status) {
            if (bar != null) {
                bar.stepTo(Math.round(done)).setExtraMessage(status);
            }
        }

        @Override
        public void close() {
            if (bar != null) {
                bar.close();
            }
            synchronized (this) {
                terminal.print("\n");
                terminal.flush();
            }
        }
    }
}

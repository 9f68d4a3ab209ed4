package io.noisesearch.service;

import io.javalin.http.Context;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.EndPoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Notices clients that close their connection while their search waits or runs. HTTP/1.1 says nothing of a closed
 * peer until the server reads or writes, and Jetty does not read while a handler runs; so once a request's body is
 * read, one thread tries a non-blocking read on each watched connection every {@link #PERIOD_MS} ms: end of stream
 * means the client is gone. Bytes that arrive instead (a pipelined next request) end the watch, and the connection
 * is closed after the answer so that those lost bytes are never parsed.
 */
final class ConnectionWatch implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionWatch.class);
    static final long PERIOD_MS = 20;

    /** One watched exchange; {@link #end} before the answer is written, so that no read runs beside the write. */
    final class Watched {
        private final EndPoint endPoint;
        private final Runnable onClosed;
        private boolean ended;
        private boolean sawBytes;

        private Watched(EndPoint endPoint, Runnable onClosed) {
            this.endPoint = endPoint;
            this.onClosed = onClosed;
        }

        /** Stops watching; whether bytes of a next request were read (then the connection must close). */
        synchronized boolean end() {
            ended = true;
            watched.remove(this);
            return sawBytes;
        }

        private synchronized void probe() {
            if (ended) {
                return;
            }
            int read;
            try {
                read = endPoint.fill(ByteBuffer.allocate(1).flip());
            } catch (IOException e) {
                read = -1;
            }
            if (read == 0) {
                return;
            }
            sawBytes = read > 0;
            ended = true;
            watched.remove(this);
            if (read < 0) {
                onClosed.run();
            }
        }
    }

    private final Set<Watched> watched = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "noisesearch-connection-watch");
        thread.setDaemon(true);
        return thread;
    });

    ConnectionWatch() {
        timer.scheduleWithFixedDelay(this::probeAll, PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * Watches the connection of an exchange whose request body has been read whole; {@code onClosed} runs (on the
     * watch's thread) when the client closes it. Null where the connection is not Jetty's (nothing is watched).
     */
    Watched watch(Context ctx, Runnable onClosed) {
        ServletContextRequest request = ServletContextRequest.getServletContextRequest(ctx.req());
        if (request == null) {
            return null;
        }
        Watched w = new Watched(request.getConnectionMetaData().getConnection().getEndPoint(), onClosed);
        watched.add(w);
        return w;
    }

    private void probeAll() {
        for (Watched w : watched) {
            try {
                w.probe();
            } catch (RuntimeException e) {
                LOG.debug("probing a connection failed: {}", e.toString());
                w.end();
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}

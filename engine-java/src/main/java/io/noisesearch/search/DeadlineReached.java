package io.noisesearch.search;

/**
 * Thrown at a batch boundary of the search phase once the request's deadline (less the final solve's reserve) has
 * passed; the algorithm catches it where it holds a best-so-far, {@link SearchContext#run} where it holds none.
 */
final class DeadlineReached extends RuntimeException {

    DeadlineReached() {
        super("deadline reached", null, false, false);
    }
}

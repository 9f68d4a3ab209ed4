package io.noisesearch.search;

/**
 * Thrown at a batch boundary of the search phase once the search must stop proposing: its deadline (less the final
 * solve's reserve) has passed, or a stopping rule ({@link StopRules}) fired; the algorithm catches it where it holds a
 * best-so-far, {@link SearchContext#run} where it holds none.
 */
final class SearchStopped extends RuntimeException {

    SearchStopped(StopReason reason) {
        super(reason.id(), null, false, false);
    }
}

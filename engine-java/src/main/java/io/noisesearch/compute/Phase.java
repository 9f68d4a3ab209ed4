package io.noisesearch.compute;

/** Where compute is spent: the search (all candidates) or the final solve of the winner. */
public enum Phase {
    SEARCH, FINAL
}

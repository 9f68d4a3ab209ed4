package io.noisesearch.search;

/** What ended a search: it ran to its end, its budget or deadline stopped it, or a stopping rule fired. */
public enum StopReason {
    COMPLETED("completed"),
    BUDGET("budget"),
    DEADLINE("deadline"),
    /** The best score reached {@link StopRules#targetScore}. */
    TARGET("target"),
    /** {@link StopRules#patience} evaluations in a row improved on the best by no more than the margin. */
    PLATEAU("plateau");

    private final String id;

    StopReason(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }
}

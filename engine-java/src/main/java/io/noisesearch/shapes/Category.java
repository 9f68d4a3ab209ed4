package io.noisesearch.shapes;

/** The caption families the results are reported by; held-out relations are reported apart from the others. */
public enum Category {
    SINGLE("single"), COUNT("count"), RELATIONAL("relational"), HELD_OUT("held-out relational");

    private final String label;

    Category(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}

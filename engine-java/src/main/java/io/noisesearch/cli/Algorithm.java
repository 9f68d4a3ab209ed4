package io.noisesearch.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.util.Arrays;
import java.util.Iterator;

/** The search algorithms by their command-line names (PAPER.md, search algorithms 1-3, and the baseline). */
enum Algorithm {
    NONE("none"), RANDOM("random"), ZERO_ORDER("zero-order"), PATHS("paths");

    private final String id;

    Algorithm(String id) {
        this.id = id;
    }

    @Override
    public String toString() {
        return id;
    }

    static Algorithm parse(String text) {
        return Arrays.stream(values()).filter(a -> a.id.equals(text)).findFirst()
                .orElseThrow(() -> new TypeConversionException("'" + text + "' is not one of " + Arrays.toString(values())));
    }

    static final class Converter implements ITypeConverter<Algorithm> {
        @Override
        public Algorithm convert(String text) {
            return parse(text);
        }
    }

    /** Lets --help list the names through ${COMPLETION-CANDIDATES}. */
    static final class Names implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(values()).map(Algorithm::toString).iterator();
        }
    }
}

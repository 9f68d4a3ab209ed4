package io.noisesearch.cli;

import io.noisesearch.model.BuiltinModels;
import io.noisesearch.schedule.SolverKind;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/** Option values that are names: picocli reports a failed conversion as a bad value of the option. */
final class Converters {

    private Converters() {
    }

    static final class Solver implements ITypeConverter<SolverKind> {
        @Override
        public SolverKind convert(String text) {
            try {
                return SolverKind.parse(text);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class SolverNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(SolverKind.values()).map(SolverKind::id).iterator();
        }
    }

    /** The built-in models; models with files come with a later issue. */
    static final class ModelNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return BuiltinModels.NAMES.iterator();
        }
    }

    /** The devices this build offers ("host" is still accepted for cpu); cuda:N names GPU N. */
    static final class BackendNames implements Iterable<String> {
        static final List<String> NAMES = List.of("cpu", "java", "cuda", "auto");

        @Override
        public Iterator<String> iterator() {
            return NAMES.iterator();
        }
    }

    static final class Backend implements ITypeConverter<String> {
        @Override
        public String convert(String text) {
            if (!BackendNames.NAMES.contains(text) && !text.equals("host") && !text.matches("cuda:\\d+")) {
                throw new TypeConversionException("'" + text + "' is not one of " + BackendNames.NAMES + " or cuda:N");
            }
            return text;
        }
    }
}

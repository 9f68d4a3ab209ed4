package io.noisesearch.cli;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.backend.Backends;
import io.noisesearch.model.BuiltinModels;
import io.noisesearch.schedule.SolverKind;
import io.noisesearch.search.Algorithms;
import io.noisesearch.verify.Verifiers;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.util.Arrays;
import java.util.Iterator;

/**
 * Option values that are names, checked by the domain type that owns them; picocli reports a failed conversion as a
 * bad value of the option. The *Names classes let --help list the names through ${COMPLETION-CANDIDATES}.
 */
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

    static final class ModelNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return BuiltinModels.NAMES.iterator();
        }
    }

    static final class VerifierNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Verifiers.NAMES.iterator();
        }
    }

    static final class Algorithm implements ITypeConverter<String> {
        @Override
        public String convert(String text) {
            if (!Algorithms.NAMES.contains(text)) {
                throw new TypeConversionException("'" + text + "' is not one of " + Algorithms.NAMES);
            }
            return text;
        }
    }

    static final class AlgorithmNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Algorithms.NAMES.iterator();
        }
    }

    static final class Device implements ITypeConverter<String> {
        @Override
        public String convert(String text) {
            try {
                return Backends.check(text);
            } catch (InvalidRequestException e) {
                throw new TypeConversionException("'" + text + "' is not one of " + Backends.DEVICES + " or cuda:N");
            }
        }
    }

    static final class DeviceNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Backends.DEVICES.iterator();
        }
    }
}

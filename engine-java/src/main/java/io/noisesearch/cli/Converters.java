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
import java.util.List;

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

    /** A list of names for ${COMPLETION-CANDIDATES}; picocli makes each subclass with its no-argument constructor. */
    abstract static class Names implements Iterable<String> {
        private final List<String> names;

        Names(List<String> names) {
            this.names = names;
        }

        @Override
        public Iterator<String> iterator() {
            return names.iterator();
        }
    }

    static final class SolverNames extends Names {
        SolverNames() {
            super(Arrays.stream(SolverKind.values()).map(SolverKind::id).toList());
        }
    }

    static final class ModelNames extends Names {
        ModelNames() {
            super(BuiltinModels.NAMES);
        }
    }

    static final class VerifierNames extends Names {
        VerifierNames() {
            super(Verifiers.NAMES);
        }
    }

    static final class AlgorithmNames extends Names {
        AlgorithmNames() {
            super(Algorithms.NAMES);
        }
    }

    static final class DeviceNames extends Names {
        DeviceNames() {
            super(Backends.DEVICES);
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
}

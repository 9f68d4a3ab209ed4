package io.noisesearch.profile;

import io.noisesearch.schedule.SolverKind;
import io.noisesearch.search.SearchRequest;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A profiling sweep (bench/sweeps/README.md): the axes whose cartesian product is its list of configurations.
 * {@code axes} hold the solver and budget axes of every algorithm entry that does not set its own; {@code guidance}
 * empty is the model's scale; {@code name} (optional) titles the report.
 */
public record Sweep(String name, List<String> models, List<String> verifiers, List<AlgorithmAxes> algorithms,
                    Axes axes, List<Double> guidance, EvaluationSet evaluation) {

    public Sweep {
        models = List.copyOf(models);
        verifiers = List.copyOf(verifiers);
        algorithms = List.copyOf(algorithms);
        guidance = List.copyOf(guidance);
    }

    /**
     * The configurations in a fixed order: models, then verifiers, algorithm entries, hyperparameters, guidance,
     * search solver, final solver, noise scale, eta and budget, the last varying fastest (a noise value applies to the
     * solvers of its kind; where neither solver takes it, its configurations repeat and are left out). {@code none} does not search, so its search
     * solver and budget are dropped, and the configurations that then repeat an earlier one are left out.
     */
    public List<Configuration> configurations() {
        Map<String, Configuration> byId = new LinkedHashMap<>();
        for (String model : models) {
            for (String verifier : verifiers) {
                for (AlgorithmAxes entry : algorithms) {
                    for (Configuration c : configurations(model, verifier, entry)) {
                        byId.putIfAbsent(c.id(), c);
                    }
                }
            }
        }
        return List.copyOf(byId.values());
    }

    /** How many configurations the axes multiply to, before repeats are left out (saturates at Long.MAX_VALUE). */
    public long upperBound() {
        long entries = 0;
        for (AlgorithmAxes entry : algorithms) {
            Axes a = axes.overriddenBy(entry.axes());
            long n = 1;
            for (List<Object> values : entry.parameters().values()) {
                n = times(n, values.size());
            }
            for (List<?> axis : List.of(guidance, a.searchSolver(), a.searchSteps(), a.finalSolver(), a.finalSteps(),
                    a.budgets(), a.budgetGflops(), a.noiseScale(), a.eta())) {
                n = times(n, Math.max(1, axis.size()));
            }
            entries = n > Long.MAX_VALUE - entries ? Long.MAX_VALUE : entries + n;
        }
        return times(times(models.size(), verifiers.size()), entries);
    }

    private static long times(long a, long b) {
        return a != 0 && b > Long.MAX_VALUE / a ? Long.MAX_VALUE : a * b;
    }

    private List<Configuration> configurations(String model, String verifier, AlgorithmAxes entry) {
        Axes a = axes.overriddenBy(entry.axes());
        boolean searches = !entry.name().equals("none");
        List<SolverChoice> searchSolvers = searches ? solvers(a.searchSolver(), a.searchSteps())
                : List.of(SolverChoice.DEFAULT);
        List<Budget> budgets = searches ? budgets(a) : List.of(Budget.NONE);
        List<Configuration> out = new ArrayList<>();
        for (Map<String, Object> parameters : entry.combinations()) {
            for (Double scale : orUnset(guidance)) {
                for (SolverChoice search : searchSolvers) {
                    for (SolverChoice last : solvers(a.finalSolver(), a.finalSteps())) {
                        for (Double noiseScale : orUnset(a.noiseScale())) {
                            for (Double eta : orUnset(a.eta())) {
                                for (Budget budget : budgets) {
                                    out.add(new Configuration(model, verifier, entry.name(), parameters,
                                            search.withNoise(noiseScale, eta), last.withNoise(noiseScale, eta),
                                            budget.nfe(), scale, evaluation, budget.gflops()));
                                }
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    /** One value of the budget axis: NFEs, GFLOPs or neither (no budget). */
    private record Budget(Long nfe, Double gflops) {
        static final Budget NONE = new Budget(null, null);
    }

    /** The budget axis in the unit it is given in; unlimited is no budget. */
    private static List<Budget> budgets(Axes a) {
        List<Budget> out = new ArrayList<>();
        for (Double gflops : a.budgetGflops()) {
            out.add(Double.isInfinite(gflops) ? Budget.NONE : new Budget(null, gflops));
        }
        for (Long nfe : a.budgets()) {
            out.add(nfe == SearchRequest.UNLIMITED ? Budget.NONE : new Budget(nfe, null));
        }
        return out.isEmpty() ? List.of(Budget.NONE) : out;
    }

    /** Kinds times steps; an axis not set is the default (null). */
    private static List<SolverChoice> solvers(List<SolverKind> kinds, List<Integer> steps) {
        List<SolverChoice> out = new ArrayList<>();
        for (SolverKind kind : orUnset(kinds)) {
            for (Integer count : orUnset(steps)) {
                out.add(new SolverChoice(kind, count));
            }
        }
        return out;
    }

    private static <T> List<T> orUnset(List<T> axis) {
        return axis.isEmpty() ? Collections.singletonList(null) : axis;
    }
}

package io.noisesearch.profile;

import io.noisesearch.schedule.SolverKind;

import java.util.List;

/**
 * The axes a sweep sets for every algorithm and an algorithm entry may set for itself: the search and final
 * solvers' kinds and steps, the noise scale of every euler-sde solver and the eta of every ddim solver of a
 * configuration (search and final, as the CLI's --noise-scale and --eta), and the search budget, in NFEs
 * ({@code SearchRequest.UNLIMITED} for none) or in the search's denoiser GFLOPs per sample ({@code budgetGflops},
 * infinite for none; at most one of the two is set). An empty list is an axis not set: the default (the model's
 * solver; for the search, the final solver; the kind's default noise; no budget).
 */
public record Axes(List<SolverKind> searchSolver, List<Integer> searchSteps, List<SolverKind> finalSolver,
                   List<Integer> finalSteps, List<Long> budgets, List<Double> budgetGflops, List<Double> noiseScale,
                   List<Double> eta) {

    public static final Axes NONE = new Axes(List.of(), List.of(), List.of(), List.of(), List.of(), List.of());

    public Axes {
        searchSolver = List.copyOf(searchSolver);
        searchSteps = List.copyOf(searchSteps);
        finalSolver = List.copyOf(finalSolver);
        finalSteps = List.copyOf(finalSteps);
        budgets = List.copyOf(budgets);
        budgetGflops = List.copyOf(budgetGflops);
        noiseScale = List.copyOf(noiseScale);
        eta = List.copyOf(eta);
    }

    /** Without noise axes. */
    public Axes(List<SolverKind> searchSolver, List<Integer> searchSteps, List<SolverKind> finalSolver,
                List<Integer> finalSteps, List<Long> budgets, List<Double> budgetGflops) {
        this(searchSolver, searchSteps, finalSolver, finalSteps, budgets, budgetGflops, List.of(), List.of());
    }

    /** Budgets in NFEs only. */
    public Axes(List<SolverKind> searchSolver, List<Integer> searchSteps, List<SolverKind> finalSolver,
                List<Integer> finalSteps, List<Long> budgets) {
        this(searchSolver, searchSteps, finalSolver, finalSteps, budgets, List.of());
    }

    /**
     * These axes with the ones {@code entry} sets in their place; the budget is one axis, so an entry's budget in
     * either unit replaces the sweep's in both.
     */
    public Axes overriddenBy(Axes entry) {
        boolean ownBudget = !entry.budgets.isEmpty() || !entry.budgetGflops.isEmpty();
        return new Axes(pick(entry.searchSolver, searchSolver), pick(entry.searchSteps, searchSteps),
                pick(entry.finalSolver, finalSolver), pick(entry.finalSteps, finalSteps),
                ownBudget ? entry.budgets : budgets, ownBudget ? entry.budgetGflops : budgetGflops,
                pick(entry.noiseScale, noiseScale), pick(entry.eta, eta));
    }

    private static <T> List<T> pick(List<T> own, List<T> inherited) {
        return own.isEmpty() ? inherited : own;
    }
}

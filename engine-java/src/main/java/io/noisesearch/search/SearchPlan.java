package io.noisesearch.search;

import io.noisesearch.sampling.Schedule;
import io.noisesearch.sampling.SolverSettings;

/** What compute formulas need: the model's schedule and the search solver. */
public record SearchPlan(Schedule schedule, SolverSettings searchSolver) {
}

package io.noisesearch.search;

import io.noisesearch.schedule.Schedule;
import io.noisesearch.schedule.SolverSettings;

/** What compute formulas need: the model's schedule and the search solver. */
public record SearchPlan(Schedule schedule, SolverSettings searchSolver) {
}

package io.noisesearch.search;

/** A search algorithm of PAPER.md; its record components are its hyperparameters. */
public sealed interface SearchAlgorithm permits NoSearch, RandomSearch, ZeroOrderSearch, PathSearch {

    /** The command-line name: none, random, zero-order, paths. */
    String id();

    /** Search NFEs this configuration spends with the given search solver when the budget does not stop it. */
    long plannedSearchNfe(SearchPlan plan);

    Outcome run(SearchContext context);
}

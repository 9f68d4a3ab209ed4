package io.noisesearch.service;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * The JSON body of {@code POST /v1/search}: the options of {@code noisesearch search} under their camel-case names
 * ({@code --budget-nfe} is {@code budgetNfe}), each absent or null field taking the command line's default, plus
 * the service's own: {@code priority} ({@code normal} or {@code high}), {@code deadlineMs} (the CLI's
 * {@code --deadline-ms}, counted from the request's arrival) and {@code sample} ({@code none}, {@code png} or
 * {@code floats}: the returned sample inline). A text-conditioned model takes {@code prompt} (the CLI's
 * {@code --prompt}) instead of {@code class}. The stopping rules are {@code stopAtScore}, {@code stopPatience} and
 * {@code stopMargin}. Smc's fields, beam's {@code beamExpand} and evolution's {@code evoAt} have the sweep keys' names ({@code steerFrom} and
 * {@code steerTo} are the two levels of {@code --steer-window}); {@code noiseScale} and {@code eta} are the CLI's
 * {@code --noise-scale} and {@code --eta}.
 */
record SearchBody(String model, @JsonProperty("class") Integer label, String algorithm, Integer candidates,
                  Integer neighbours, Integer iterations, Double cosine, Double lambda, Integer paths,
                  Integer pathsWidth, Double searchStart, Double forwardStep, Double backwardStep, Integer pathLength,
                  List<Double> pruneAt, Integer keep, String verifier, String solver, Integer steps,
                  String searchSolver, Integer searchSteps, Double cfg, Long budgetNfe, Long seed, Integer batchSize,
                  Long deadlineMs, String priority, String sample, String prompt, Double stopAtScore,
                  Integer stopPatience, Double stopMargin, Integer beamWidth, Integer beamChildren,
                  List<Double> beamAt, Double beamCosine, String beamMode, Double beamThreshold,
                  List<Integer> population, Integer generations, Integer elites, Double evoCosineStart,
                  Double evoCosineEnd, String beamExpand, Integer particles, String potential, Double smcLambda,
                  String resampling, Integer resampleEvery, Double essThreshold, Double steerFrom, Double steerTo,
                  Double gradientCosine, Double noiseScale, Double eta, List<Double> evoAt) {
}

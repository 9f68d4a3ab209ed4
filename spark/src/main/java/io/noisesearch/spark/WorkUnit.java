package io.noisesearch.spark;

import java.io.Serializable;
import java.util.List;

/**
 * What one Spark task runs: requests [from, to) of the evaluation set (one class, a range of its seeds) for a unit's
 * configurations (one configuration, or best-of-N points that share a pool). Its id names the configurations, the
 * class and the seeds, so a re-run of the same sweep finds the units the output already holds.
 *
 * @param configurations the configurations' indices in the sweep's order
 * @param from           the first request's place in the evaluation set (seed = firstSeed + from)
 */
public record WorkUnit(String id, List<Integer> configurations, int label, int from, int to)
        implements Serializable {

    public WorkUnit {
        configurations = List.copyOf(configurations);
    }

    static String id(List<String> configurationIds, int label, long firstSeed, long lastSeed) {
        return String.join("+", configurationIds) + "/class-" + label + "/seeds-" + firstSeed + "-" + lastSeed;
    }
}

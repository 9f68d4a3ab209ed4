package io.noisesearch.verify;

import io.noisesearch.backend.Kernels;

import java.util.ArrayList;
import java.util.List;

/**
 * The rank ensemble of PAPER.md: every member ranks the pool (1 = best), the candidate with the best mean
 * rank wins. With weights w_m the mean is weighted: sum_m w_m rank_m / sum_m w_m (all 1: the plain mean). The
 * combined score is minus that mean, so higher is still better. Ties within a member are broken by candidate
 * index, which makes the ranking deterministic. A member with several raw scores (the grader's aspects) ranks the
 * pool by its own combined score; its raw scores are kept with the others.
 */
public final class EnsembleVerifier implements Verifier {

    private final List<Verifier> members;
    private final double[] weights;

    /** Members of equal weight. */
    public EnsembleVerifier(List<Verifier> members) {
        this(members, equalWeights(members.size()));
    }

    /** Member m's rank counts {@code weights[m]} times (finite, positive). */
    public EnsembleVerifier(List<Verifier> members, double[] weights) {
        if (members.size() < 2) {
            throw new IllegalArgumentException("an ensemble needs at least two verifiers, got " + members.size());
        }
        for (Verifier member : members) {
            if (member instanceof EnsembleVerifier) {
                throw new IllegalArgumentException("ensembles cannot nest: " + member.name());
            }
        }
        if (weights.length != members.size()) {
            throw new IllegalArgumentException(weights.length + " weights for " + members.size() + " members");
        }
        for (double w : weights) {
            if (!(w > 0 && Double.isFinite(w))) {
                throw new IllegalArgumentException("ensemble weights must be finite and positive, got " + w);
            }
        }
        this.members = List.copyOf(members);
        this.weights = weights.clone();
    }

    private static double[] equalWeights(int members) {
        double[] weights = new double[members];
        java.util.Arrays.fill(weights, 1);
        return weights;
    }

    /** {@code ensemble:a,b=2,...}: a member's weight is written where it is not 1. */
    @Override
    public String name() {
        List<String> parts = new ArrayList<>();
        for (int m = 0; m < members.size(); m++) {
            parts.add(members.get(m).name() + weightSuffix(m));
        }
        return "ensemble:" + String.join(",", parts);
    }

    private String weightSuffix(int member) {
        double w = weights[member];
        return w == 1 ? "" : "=" + (w == Math.rint(w) && Math.abs(w) < 1e15 ? Long.toString((long) w) : Double.toString(w));
    }

    /** The members' identities; null (not cacheable) when one member's scores are not a function of the sample. */
    @Override
    public String identity() {
        List<String> parts = new ArrayList<>();
        for (Verifier member : members) {
            String id = member.identity();
            if (id == null) {
                return null;
            }
            parts.add(id + weightSuffix(parts.size()));
        }
        return "ensemble:" + String.join(",", parts);
    }

    @Override
    public List<String> members() {
        List<String> names = new ArrayList<>();
        members.forEach(m -> names.addAll(m.members()));
        return names;
    }

    @Override
    public long flopsPerSample() {
        return members.stream().mapToLong(Verifier::flopsPerSample).sum();
    }

    @Override
    public double captureTime() {
        return members.stream().mapToDouble(Verifier::captureTime).filter(t -> !Double.isNaN(t)).findFirst()
                .orElse(Double.NaN);
    }

    @Override
    public int rowsPerCall(int batchSize) {
        return members.stream().mapToInt(m -> m.rowsPerCall(batchSize)).min().orElse(batchSize);
    }

    @Override
    public void score(Kernels kernels, VerifierInput input, float[][] out, int offset) {
        int row = 0;
        for (Verifier member : members) {
            int count = member.members().size();
            member.score(kernels, input, java.util.Arrays.copyOfRange(out, row, row + count), offset);
            row += count;
        }
    }

    @Override
    public float[] combine(Scores memberScores) {
        int n = memberScores.size();
        double[] rankSum = new double[n];
        double weightSum = 0;
        int row = 0;
        for (int m = 0; m < members.size(); m++) {
            int count = members.get(m).members().size();
            int[] order = Scores.rankOrder(members.get(m).combine(memberScores.members(row, count)));
            row += count;
            for (int rank = 0; rank < n; rank++) {
                rankSum[order[rank]] += weights[m] * (rank + 1);
            }
            weightSum += weights[m];
        }
        float[] combined = new float[n];
        for (int i = 0; i < n; i++) {
            combined[i] = (float) (-rankSum[i] / weightSum);
        }
        return combined;
    }
}

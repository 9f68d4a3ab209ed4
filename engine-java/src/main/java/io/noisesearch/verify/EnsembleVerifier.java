package io.noisesearch.verify;

import io.noisesearch.backend.Kernels;

import java.util.ArrayList;
import java.util.List;

/**
 * The rank ensemble of PAPER.md: every member ranks the pool (1 = best), the candidate with the best mean
 * rank wins. The combined score is minus the mean rank, so higher is still better. Ties within a member are
 * broken by candidate index, which makes the ranking deterministic. A member with several raw scores (the grader's
 * aspects) ranks the pool by its own combined score; its raw scores are kept with the others.
 */
public final class EnsembleVerifier implements Verifier {

    private final List<Verifier> members;

    public EnsembleVerifier(List<Verifier> members) {
        if (members.size() < 2) {
            throw new IllegalArgumentException("an ensemble needs at least two verifiers, got " + members.size());
        }
        for (Verifier member : members) {
            if (member instanceof EnsembleVerifier) {
                throw new IllegalArgumentException("ensembles cannot nest: " + member.name());
            }
        }
        this.members = List.copyOf(members);
    }

    @Override
    public String name() {
        List<String> names = new ArrayList<>();
        members.forEach(m -> names.add(m.name()));
        return "ensemble:" + String.join(",", names);
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
            parts.add(id);
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
        int row = 0;
        for (Verifier member : members) {
            int count = member.members().size();
            int[] order = Scores.rankOrder(member.combine(memberScores.members(row, count)));
            row += count;
            for (int rank = 0; rank < n; rank++) {
                rankSum[order[rank]] += rank + 1;
            }
        }
        float[] combined = new float[n];
        for (int i = 0; i < n; i++) {
            combined[i] = (float) (-rankSum[i] / members.size());
        }
        return combined;
    }
}

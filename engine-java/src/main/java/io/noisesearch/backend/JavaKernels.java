package io.noisesearch.backend;

import io.noisesearch.noise.GaussianTransform;
import io.noisesearch.noise.Philox;
import io.noisesearch.schedule.Coefficients;
import io.noisesearch.schedule.Prediction;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The plain-Java reference of every kernel in kernels/include/noisesearch.h, sequential and straightforward: it is
 * the specification. The element formulas repeat those of kernels/include/ns_*.cuh operation for operation, so the
 * host library agrees with it bit for bit everywhere except the mixture kernels (whose exp and log come from libm).
 */
final class JavaKernels implements Kernels {

    @Override
    public void gaussianNoise(Batch out, long seed, long firstKey) {
        for (int r = 0; r < out.rows(); r++) {
            long key = firstKey + r;
            for (int i = 0; i < out.dim(); i += 4) {
                int[] words = Philox.noiseWords(seed, key, i >>> 2);
                for (int j = 0; j < 4 && i + j < out.dim(); j++) {
                    set(out, r, i + j, GaussianTransform.fromBits(words[j]));
                }
            }
        }
    }

    @Override
    public void philox(int[] counters, int[] keys, int[] out) {
        KernelArguments.philox(counters, keys, out);
        for (int b = 0; b < counters.length / 4; b++) {
            int[] words = Philox.block(counters[4 * b], counters[4 * b + 1], counters[4 * b + 2],
                    counters[4 * b + 3], keys[2 * b], keys[2 * b + 1]);
            System.arraycopy(words, 0, out, 4 * b, 4);
        }
    }

    /** y = c n + k w' with w' = d - proj n; see kernels/include/ns_rows.cuh for the derivation. */
    @Override
    public void zeroOrderNeighbours(Batch pivot, Batch directions, Batch out, float cosine) {
        KernelArguments.neighbours(pivot, directions, out, cosine);
        double c = cosine;
        double nn = dot(pivot, 0, pivot, 0);
        for (int r = 0; r < directions.rows(); r++) {
            double proj = nn > 0.0 ? dot(directions, r, pivot, 0) / nn : 0.0;
            double ww = 0.0;
            for (int i = 0; i < directions.dim(); i++) {
                double w = orthogonalPart(get(directions, r, i), get(pivot, 0, i), proj);
                ww += w * w;
            }
            double k = ww > 0.0 ? Math.sqrt(1.0 - c * c) * Math.sqrt(nn) / Math.sqrt(ww) : 0.0;
            for (int i = 0; i < directions.dim(); i++) {
                float n = get(pivot, 0, i);
                set(out, r, i, (float) (c * (double) n + k * orthogonalPart(get(directions, r, i), n, proj)));
            }
        }
    }

    @Override
    public void forwardNoise(Batch x, long seed, long firstKey, float a, float s) {
        for (int r = 0; r < x.rows(); r++) {
            for (int i = 0; i < x.dim(); i++) {
                set(x, r, i, a * get(x, r, i) + s * GaussianTransform.noise(seed, firstKey + r, i));
            }
        }
    }

    @Override
    public void eulerStep(Batch x, Batch v, Batch out, float dt) {
        KernelArguments.sameShape("eulerStep", x, v, out);
        for (long i = 0; i < x.elements(); i++) {
            set(out, i, get(x, i) + dt * get(v, i));
        }
    }

    @Override
    public void heunStep(Batch x, Batch v1, Batch v2, Batch out, float dt) {
        KernelArguments.sameShape("heunStep", x, v1, v2, out);
        float halfDt = dt * 0.5f;
        for (long i = 0; i < x.elements(); i++) {
            set(out, i, get(x, i) + halfDt * (get(v1, i) + get(v2, i)));
        }
    }

    @Override
    public void ddimStep(Batch x, Batch pred, Batch out, Prediction type, Coefficients now, Coefficients next) {
        KernelArguments.sameShape("ddimStep", x, pred, out);
        for (long i = 0; i < x.elements(); i++) {
            float xi = get(x, i);
            float p = get(pred, i);
            set(out, i, next.alpha() * x0(xi, p, type, now) + next.sigma() * eps(xi, p, type, now));
        }
    }

    @Override
    public void cfgCombine(Batch cond, Batch uncond, Batch out, float scale) {
        KernelArguments.sameShape("cfgCombine", cond, uncond, out);
        for (long i = 0; i < cond.elements(); i++) {
            float u = get(uncond, i);
            set(out, i, u + scale * (get(cond, i) - u));
        }
    }

    @Override
    public void convertPrediction(Batch x, Batch pred, Batch out, Prediction from, Prediction to, Coefficients at) {
        KernelArguments.sameShape("convertPrediction", x, pred, out);
        for (long i = 0; i < x.elements(); i++) {
            float xi = get(x, i);
            float p = get(pred, i);
            set(out, i, from == to ? p : join(x0(xi, p, from, at), eps(xi, p, from, at), to, at));
        }
    }

    @Override
    public void gatherRows(Batch in, int[] indices, Batch out) {
        KernelArguments.gather(in, indices, out);
        for (int r = 0; r < indices.length; r++) {
            MemorySegment.copy(in.row(indices[r]).data(), 0, out.row(r).data(), 0, in.dim() * Batch.FLOAT_BYTES);
        }
    }

    @Override
    public void rowDot(Batch a, Batch b, float[] out) {
        KernelArguments.sameShape("rowDot", a, b);
        KernelArguments.length("rowDot", "out", out.length, a.rows());
        for (int r = 0; r < a.rows(); r++) {
            out[r] = (float) dot(a, r, b, r);
        }
    }

    @Override
    public void rowNorm(Batch a, float[] out) {
        KernelArguments.length("rowNorm", "out", out.length, a.rows());
        for (int r = 0; r < a.rows(); r++) {
            out[r] = (float) Math.sqrt(dot(a, r, a, r));
        }
    }

    @Override
    public void rowCosine(Batch a, Batch b, float[] out) {
        KernelArguments.sameShape("rowCosine", a, b);
        KernelArguments.length("rowCosine", "out", out.length, a.rows());
        for (int r = 0; r < a.rows(); r++) {
            double ab = dot(a, r, b, r);
            double aa = dot(a, r, a, r);
            double bb = dot(b, r, b, r);
            out[r] = aa > 0.0 && bb > 0.0 ? (float) (ab / (Math.sqrt(aa) * Math.sqrt(bb))) : 0f;
        }
    }

    @Override
    public void copy(Batch src, Batch dst) {
        KernelArguments.sameShape("copy", src, dst);
        MemorySegment.copy(src.data(), 0, dst.data(), 0, src.bytes());
    }

    @Override
    public void toHalf(Batch src, MemorySegment dst) {
        KernelArguments.half("toHalf", src, dst);
        for (long i = 0; i < src.elements(); i++) {
            dst.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, Float.floatToFloat16(get(src, i)));
        }
    }

    @Override
    public void fromHalf(MemorySegment src, Batch dst) {
        KernelArguments.half("fromHalf", dst, src);
        for (long i = 0; i < dst.elements(); i++) {
            set(dst, i, Float.float16ToFloat(src.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i)));
        }
    }

    @Override
    public void gmmPredict(Batch x, Batch out, MixtureTensors mixture, int label, Coefficients at, Prediction type) {
        KernelArguments.sameShape("gmmPredict", x, out);
        KernelArguments.mixture("gmmPredict", x, mixture, label);
        Mixture m = new Mixture(mixture, label);
        for (int r = 0; r < x.rows(); r++) {
            m.predict(x, r, out, at, type);
        }
    }

    @Override
    public void gmmLogDensity(Batch x, float[] out, MixtureTensors mixture, int label) {
        KernelArguments.mixture("gmmLogDensity", x, mixture, label);
        KernelArguments.length("gmmLogDensity", "out", out.length, x.rows());
        Mixture m = new Mixture(mixture, label);
        for (int r = 0; r < x.rows(); r++) {
            double[] logit = m.logits(x, r, 1f, 0f);
            double largest = max(logit);
            out[r] = (float) (largest + Math.log(partition(logit, largest)));
        }
    }

    @Override
    public void gmmVjp(Batch x, Batch cotangent, Batch out, MixtureTensors mixture, int label, Coefficients at,
                       float cX0, float cEps) {
        KernelArguments.sameShape("gmmVjp", x, cotangent, out);
        KernelArguments.distinct("gmmVjp", out, x, cotangent);
        KernelArguments.mixture("gmmVjp", x, mixture, label);
        Mixture m = new Mixture(mixture, label);
        for (int r = 0; r < x.rows(); r++) {
            m.vjp(x, cotangent, r, out, at, cX0, cEps);
        }
    }

    @Override
    public void gmmScore(Batch x, Batch out, MixtureTensors mixture, int label, Coefficients at) {
        KernelArguments.sameShape("gmmScore", x, out);
        KernelArguments.distinct("gmmScore", out, x);
        KernelArguments.mixture("gmmScore", x, mixture, label);
        Mixture m = new Mixture(mixture, label);
        for (int r = 0; r < x.rows(); r++) {
            m.score(x, r, out, at);
        }
    }

    @Override
    public void synchronize() {
    }

    @Override
    public void close() {
    }

    /** The mixture of kernels/include/ns_mixture.cuh for one label: the derivation is documented there. */
    private record Mixture(MixtureTensors tensors, int label) {

        private static final double TWO_PI = 6.283185307179586;

        float logWeight(int k) {
            return get(tensors.logWeights(), label, k);
        }

        float variance(int k) {
            return get(tensors.variances(), k);
        }

        double residual(Batch x, int r, int k, int i, float alpha) {
            return (double) get(x, r, i) - (double) alpha * get(tensors.means(), k, i);
        }

        double[] logits(Batch x, int r, float alpha, float sigma) {
            double[] logit = new double[tensors.components()];
            for (int k = 0; k < logit.length; k++) {
                logit[k] = Double.NEGATIVE_INFINITY;
                if (logWeight(k) == Float.NEGATIVE_INFINITY) {
                    continue;
                }
                double d2 = 0.0;
                for (int i = 0; i < x.dim(); i++) {
                    double e = residual(x, r, k, i, alpha);
                    d2 += e * e;
                }
                double v = variance(alpha, sigma, variance(k));
                logit[k] = (double) logWeight(k) - 0.5 * d2 / v - 0.5 * (double) x.dim() * Math.log(TWO_PI * v);
            }
            return logit;
        }

        void predict(Batch x, int r, Batch out, Coefficients at, Prediction type) {
            double[] weight = logits(x, r, at.alpha(), at.sigma());
            double largest = max(weight);
            double sum = partition(weight, largest);
            double[] toX0 = new double[weight.length];
            double[] toEps = new double[weight.length];
            for (int k = 0; k < weight.length; k++) {
                weight[k] = weight[k] == Double.NEGATIVE_INFINITY ? 0.0 : Math.exp(weight[k] - largest) / sum;
                double v = variance(at.alpha(), at.sigma(), variance(k));
                toX0[k] = (double) at.alpha() * variance(k) / v;
                toEps[k] = (double) at.sigma() / v;
            }
            for (int i = 0; i < x.dim(); i++) {
                double x0 = 0.0;
                double eps = 0.0;
                for (int k = 0; k < weight.length; k++) {
                    if (weight[k] == 0.0) {
                        continue;
                    }
                    double e = residual(x, r, k, i, at.alpha());
                    x0 += weight[k] * ((double) get(tensors.means(), k, i) + toX0[k] * e);
                    eps += weight[k] * (toEps[k] * e);
                }
                set(out, r, i, (float) output(x0, eps, type, at));
            }
        }

        /** r_k of row r: softmax of the logits over the label's components (0 outside it). */
        double[] responsibilities(Batch x, int r, float alpha, float sigma) {
            double[] weight = logits(x, r, alpha, sigma);
            double largest = max(weight);
            double sum = partition(weight, largest);
            for (int k = 0; k < weight.length; k++) {
                weight[k] = weight[k] == Double.NEGATIVE_INFINITY ? 0.0 : Math.exp(weight[k] - largest) / sum;
            }
            return weight;
        }

        /** J^T c = (sum_k r_k b_k) c + sum_k r_k (s_k - s) g_k (ns_mixture.cuh). */
        void vjp(Batch x, Batch c, int r, Batch out, Coefficients at, float cX0, float cEps) {
            double[] weight = responsibilities(x, r, at.alpha(), at.sigma());
            double[] dot = new double[weight.length];
            double slopeMean = 0.0;
            double dotMean = 0.0;
            for (int k = 0; k < weight.length; k++) {
                if (weight[k] == 0.0) {
                    continue;
                }
                double v = variance(at.alpha(), at.sigma(), variance(k));
                double b = ((double) cX0 * at.alpha() * variance(k) + (double) cEps * at.sigma()) / v;
                for (int i = 0; i < x.dim(); i++) {
                    float mean = get(tensors.means(), k, i);
                    dot[k] += ((double) cX0 * mean + b * residual(x, r, k, i, at.alpha())) * get(c, r, i);
                }
                slopeMean += weight[k] * b;
                dotMean += weight[k] * dot[k];
            }
            for (int i = 0; i < x.dim(); i++) {
                double value = slopeMean * get(c, r, i);
                for (int k = 0; k < weight.length; k++) {
                    if (weight[k] != 0.0) {
                        double v = variance(at.alpha(), at.sigma(), variance(k));
                        value -= weight[k] * (dot[k] - dotMean) * residual(x, r, k, i, at.alpha()) / v;
                    }
                }
                set(out, r, i, (float) value);
            }
        }

        /** grad log p_t(x) = -sum_k r_k (x - alpha mu_k) / v_k. */
        void score(Batch x, int r, Batch out, Coefficients at) {
            double[] weight = responsibilities(x, r, at.alpha(), at.sigma());
            for (int i = 0; i < x.dim(); i++) {
                double value = 0.0;
                for (int k = 0; k < weight.length; k++) {
                    if (weight[k] != 0.0) {
                        value -= weight[k] * residual(x, r, k, i, at.alpha())
                                / variance(at.alpha(), at.sigma(), variance(k));
                    }
                }
                set(out, r, i, (float) value);
            }
        }

        static double variance(float alpha, float sigma, float s2) {
            return (double) alpha * alpha * s2 + (double) sigma * sigma;
        }

        static double output(double x0, double eps, Prediction type, Coefficients at) {
            return switch (type) {
                case VELOCITY -> (double) at.dalpha() * x0 + (double) at.dsigma() * eps;
                case EPSILON -> eps;
                case X0 -> x0;
            };
        }
    }

    private static double max(double[] values) {
        double largest = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            largest = v > largest ? v : largest;
        }
        return largest;
    }

    /** sum_k exp(logit_k - largest) over the label's components, in index order. */
    private static double partition(double[] logit, double largest) {
        double sum = 0.0;
        for (double l : logit) {
            if (l != Double.NEGATIVE_INFINITY) {
                sum += Math.exp(l - largest);
            }
        }
        return sum;
    }

    /** x0 from (x, prediction); a velocity is inverted through x = a x0 + s eps, v = da x0 + ds eps (Cramer). */
    private static float x0(float x, float pred, Prediction type, Coefficients c) {
        return switch (type) {
            case VELOCITY -> (c.dsigma() * x - c.sigma() * pred) / determinant(c);
            case EPSILON -> (x - c.sigma() * pred) / c.alpha();
            case X0 -> pred;
        };
    }

    private static float eps(float x, float pred, Prediction type, Coefficients c) {
        return switch (type) {
            case VELOCITY -> (c.alpha() * pred - c.dalpha() * x) / determinant(c);
            case EPSILON -> pred;
            case X0 -> (x - c.alpha() * pred) / c.sigma();
        };
    }

    private static float determinant(Coefficients c) {
        return c.alpha() * c.dsigma() - c.sigma() * c.dalpha();
    }

    private static float join(float x0, float eps, Prediction type, Coefficients c) {
        return switch (type) {
            case VELOCITY -> c.dalpha() * x0 + c.dsigma() * eps;
            case EPSILON -> eps;
            case X0 -> x0;
        };
    }

    private static double orthogonalPart(float d, float n, double proj) {
        return (double) d - proj * (double) n;
    }

    /** Sum of products of row ra of a and row rb of b, in double, in index order. */
    private static double dot(Batch a, int ra, Batch b, int rb) {
        double sum = 0.0;
        for (int i = 0; i < a.dim(); i++) {
            sum += (double) get(a, ra, i) * (double) get(b, rb, i);
        }
        return sum;
    }

    private static float get(Batch b, long i) {
        return b.data().getAtIndex(ValueLayout.JAVA_FLOAT, i);
    }

    private static float get(Batch b, int r, int i) {
        return get(b, (long) r * b.dim() + i);
    }

    private static void set(Batch b, long i, float value) {
        b.data().setAtIndex(ValueLayout.JAVA_FLOAT, i, value);
    }

    private static void set(Batch b, int r, int i, float value) {
        set(b, (long) r * b.dim() + i, value);
    }
}

/* Element math of the per-row kernels: cosine from reduced sums, and the zero-order neighbour (PAPER.md,
 * zero-order search): y = |n| (c u + sqrt(1 - c^2) w), u = n / |n|, w = the direction d made orthogonal to u,
 * normalised. With proj = (d.n) / (n.n) and w' = d - proj n, y = c n + k w' where k = sqrt(1 - c^2) |n| / |w'|.
 * All in double; the sums come from the caller (index order on the host). */
#ifndef NS_ROWS_CUH
#define NS_ROWS_CUH

#include "ns_common.cuh"

NS_HD double ns_orthogonal_part(float d, float n, double proj) { return (double)d - proj * (double)n; }

NS_HD double ns_projection(double dn, double nn) { return nn > 0.0 ? dn / nn : 0.0; }

/* k of the neighbour formula; a direction parallel to the pivot (|w'| = 0) leaves y = c n. */
NS_HD double ns_orthogonal_scale(double cosine, double nn, double ww) {
    return ww > 0.0 ? sqrt(1.0 - cosine * cosine) * sqrt(nn) / sqrt(ww) : 0.0;
}

NS_HD float ns_neighbour(float d, float n, double proj, double cosine, double k) {
    return (float)(cosine * (double)n + k * ns_orthogonal_part(d, n, proj));
}

/* Zero vectors have cosine 0 by convention. */
NS_HD float ns_cosine(double ab, double aa, double bb) {
    return aa > 0.0 && bb > 0.0 ? (float)(ab / (sqrt(aa) * sqrt(bb))) : 0.0f;
}

#endif

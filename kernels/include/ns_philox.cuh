/*
 * Philox4x32-10 (Salmon, Moraes, Dror, Shaw, "Parallel random numbers: as easy as 1, 2, 3", SC11), the
 * counter-based generator of Random123: 10 rounds of two 32x32->64-bit multiplies in a Feistel network,
 * the key bumped by the Weyl constants between rounds.
 */
#ifndef NS_PHILOX_CUH
#define NS_PHILOX_CUH

#include "ns_common.cuh"

#define NS_PHILOX_M0 0xD2511F53u
#define NS_PHILOX_M1 0xCD9E8D57u
#define NS_PHILOX_W0 0x9E3779B9u
#define NS_PHILOX_W1 0xBB67AE85u

typedef struct {
    uint32_t w0, w1, w2, w3;
} ns_u32x4;

/* philox(c, key): per round, (hi, lo) of M0 c0 and M1 c2 feed the next words; then the key is bumped. */
NS_HD ns_u32x4 ns_philox4x32_10(ns_u32x4 c, uint32_t k0, uint32_t k1) {
    NS_UNROLL
    for (int round = 0; round < 10; ++round) {
        const uint64_t p0 = (uint64_t)NS_PHILOX_M0 * c.w0;
        const uint64_t p1 = (uint64_t)NS_PHILOX_M1 * c.w2;
        c.w0 = (uint32_t)(p1 >> 32) ^ c.w1 ^ k0;
        c.w1 = (uint32_t)p1;
        c.w2 = (uint32_t)(p0 >> 32) ^ c.w3 ^ k1;
        c.w3 = (uint32_t)p0;
        k0 += NS_PHILOX_W0;
        k1 += NS_PHILOX_W1;
    }
    return c;
}

/* The noise contract (DESIGN.md, Determinism): block g of candidate `key` under `seed` has
 * key = (seed low, seed high) and counter = (g low, g high, key low, key high); its word j is element 4g + j. */
NS_HD ns_u32x4 ns_noise_words(uint64_t seed, uint64_t key, uint64_t g) {
    const ns_u32x4 counter = {(uint32_t)g, (uint32_t)(g >> 32), (uint32_t)key, (uint32_t)(key >> 32)};
    return ns_philox4x32_10(counter, (uint32_t)seed, (uint32_t)(seed >> 32));
}

#endif

package io.noisesearch.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CandidateKeysTest {

    @Test
    void fieldsOccupyStageIterationIndexFromTheTopBits() {
        assertThat(CandidateKeys.encode(1, 2, 3)).isEqualTo(0x0100_0002_0000_0003L);
        assertThat(CandidateKeys.encode(255, 0xFFFFFF, 0xFFFFFFFFL)).isEqualTo(-1L);
    }

    @Test
    void decodeInvertsEncode() {
        long key = CandidateKeys.encode(200, 123456, 4000000000L);
        assertThat(CandidateKeys.decode(key)).isEqualTo(new CandidateKeys.Parts(200, 123456, 4000000000L));
    }

    @Test
    void outOfRangeFieldsAreRejectedByName() {
        assertThatThrownBy(() -> CandidateKeys.encode(256, 0, 0)).hasMessageContaining("stage 256");
        assertThatThrownBy(() -> CandidateKeys.encode(0, 1 << 24, 0)).hasMessageContaining("iteration 16777216");
        assertThatThrownBy(() -> CandidateKeys.encode(0, 0, 1L << 32)).hasMessageContaining("index 4294967296");
        assertThatThrownBy(() -> CandidateKeys.encode(0, 0, -1)).hasMessageContaining("index -1");
    }

    @Test
    void aRunOfCandidatesMayNotCarryIntoTheIteration() {
        long first = CandidateKeys.encode(1, 7, 0xFFFFFFF0L);
        assertThat(CandidateKeys.last(first, 16)).isEqualTo(CandidateKeys.encode(1, 7, 0xFFFFFFFFL));
        assertThatThrownBy(() -> CandidateKeys.last(first, 17)).hasMessageContaining("overflow");
    }
}

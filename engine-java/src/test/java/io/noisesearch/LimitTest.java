package io.noisesearch;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LimitTest {

    private static final String PROPERTY = "noisesearch.test.limitMiB";

    @Test
    void theDefaultHoldsUntilThePropertyIsSetAndMebibytesAreBytes() {
        Limit limit = new Limit(PROPERTY, 8192, true);
        assertThat(limit.value()).isEqualTo(8L << 30);
        System.setProperty(PROPERTY, " 16 ");
        try {
            assertThat(limit.value()).isEqualTo(16L << 20);
            assertThat(limit.describe(limit.value())).isEqualTo("the limit of 16.0 MiB (set -D" + PROPERTY
                    + " to raise it)");
        } finally {
            System.clearProperty(PROPERTY);
        }
        assertThat(new Limit("noisesearch.test.count", 1000, false).describe(1000))
                .isEqualTo("the limit of 1000 (set -Dnoisesearch.test.count to raise it)");
    }

    @Test
    void aPropertyThatIsNotAPositiveWholeNumberIsOneLineNamingIt() {
        Limit limit = new Limit(PROPERTY, 8192, true);
        for (String bad : new String[] {"0", "-5", "lots", "1.5", String.valueOf(Long.MAX_VALUE)}) {
            System.setProperty(PROPERTY, bad);
            try {
                assertThatThrownBy(limit::value).isInstanceOf(InvalidRequestException.class)
                        .hasMessage("-D" + PROPERTY + "=" + bad + ": expected a positive whole number of MiB");
            } finally {
                System.clearProperty(PROPERTY);
            }
        }
    }

    @Test
    void sizesAreWrittenForPeople() {
        assertThat(Limit.bytes(300)).isEqualTo("300 bytes");
        assertThat(Limit.bytes(12L << 20 | 1L << 19)).isEqualTo("12.5 MiB");
        assertThat(Limit.bytes(298L << 30)).isEqualTo("298.0 GiB");
    }
}

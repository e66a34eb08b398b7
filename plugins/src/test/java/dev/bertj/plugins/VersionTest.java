package dev.bertj.plugins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class VersionTest {

    @ParameterizedTest
    @CsvSource({
            "1,               1, 0, 0, ''",
            "1.2,             1, 2, 0, ''",
            "1.2.3,           1, 2, 3, ''",
            "1.2.3.beta-1_x,  1, 2, 3, beta-1_x",
            "' 10.0.7 ',      10, 0, 7, ''",
            "0.0.0,           0, 0, 0, ''",
            "2147483647.0.1,  2147483647, 0, 1, ''",
    })
    void parsesOsgiVersions(String text, int major, int minor, int micro, String qualifier) {
        Version v = Version.parse(text);
        assertThat(v.major()).isEqualTo(major);
        assertThat(v.minor()).isEqualTo(minor);
        assertThat(v.micro()).isEqualTo(micro);
        assertThat(v.qualifier()).isEqualTo(qualifier);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  ", "1.", ".1", "1..2", "a", "1.x", "1.2.3.4.5", "-1.0", "+1", "1.2.q", "1.0.0-SNAPSHOT",
            "1.2.3.qual.ifier", "1.2.3.sp ace", "1.2.3.", "99999999999.0", "1,2", "v1.0"})
    void refusesWhatIsNotAVersionAndSaysWhy(String text) {
        assertThatThrownBy(() -> Version.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected major[.minor[.micro[.qualifier]]]");
    }

    @Test
    void errorMessageQuotesTheText() {
        assertThatThrownBy(() -> Version.parse("1.x"))
                .hasMessageContaining("'1.x'").hasMessageContaining("'x' is not a non-negative integer");
        assertThatThrownBy(() -> Version.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ordersByNumbersThenQualifierWithNoQualifierLowest() {
        List<String> sorted = List.of("0.9.9", "1.0.0", "1.0.0.a", "1.0.0.b", "1.0.1", "1.2.0", "1.10.0", "2.0.0",
                "10.0.0");
        List<Version> shuffled = new ArrayList<>(sorted.stream().map(Version::parse).toList());
        Collections.shuffle(shuffled, new java.util.Random(7));
        Collections.sort(shuffled);
        assertThat(shuffled).extracting(Version::toString).containsExactlyElementsOf(sorted);
        // The qualifier compares as a string, not a number (OSGi): "10" sorts before "9".
        assertThat(Version.parse("1.0.0.10")).isLessThan(Version.parse("1.0.0.9"));
    }

    @Test
    void missingPartsAreZeroAndEqualityIsByValue() {
        assertThat(Version.parse("1")).isEqualTo(Version.parse("1.0.0")).hasSameHashCodeAs(Version.parse("1.0"));
        assertThat(Version.parse("1.0.0.a")).isNotEqualTo(Version.parse("1.0.0"));
        assertThat(Version.parse("1").compareTo(Version.parse("1.0.0"))).isZero();
    }

    @Test
    void printsTheCanonicalFormAndReadsItBack() {
        for (String s : List.of("1", "1.2", "1.2.3", "1.2.3.RC1", "007.1")) {
            Version v = Version.parse(s);
            assertThat(Version.parse(v.toString())).isEqualTo(v);
        }
        assertThat(Version.parse("1.2").toString()).isEqualTo("1.2.0");
        assertThat(Version.parse("1.2.3.RC1").toString()).isEqualTo("1.2.3.RC1");
    }

    @Test
    void constructorChecksItsParts() {
        assertThatThrownBy(() -> new Version(-1, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Version(1, 0, 0, "a.b")).isInstanceOf(IllegalArgumentException.class);
        assertThat(new Version(1, 2, 3, null)).isEqualTo(Version.parse("1.2.3"));
    }
}

package dev.bertj.plugins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class VersionRangeTest {

    @ParameterizedTest(name = "{0} includes {1}: {2}")
    @CsvSource(delimiter = ';', value = {
            "[1.0,2.0); 1.0.0; true",
            "[1.0,2.0); 0.9.9; false",
            "[1.0,2.0); 1.9.9.zz; true",
            "[1.0,2.0); 2.0.0; false",
            "[1.0,2.0); 2.0.0.a; false",
            "(1.0,2.0]; 1.0.0; false",
            "(1.0,2.0]; 1.0.0.a; true",
            "(1.0,2.0]; 2.0.0; true",
            "(1.0,2.0]; 2.0.1; false",
            "[1.2,1.3]; 1.2.0; true",
            "[1.2,1.3]; 1.3.0; true",
            "[1.2,1.3]; 1.3.0.a; false",
            "[1.2,1.3]; 1.1.9; false",
            "(1.2,1.3); 1.2.5; true",
            "[1.0.0,1.0.0]; 1.0.0; true",
            "[1.0.0,1.0.0]; 1.0.0.a; false",
            "1.0; 1.0.0; true",
            "1.0; 0.9.0; false",
            "1.0; 99.0.0; true",
            "'\"[1.0,2.0)\"'; 1.5.0; true",
            "' [ 1.0 , 2.0 ) '; 1.5.0; true",
    })
    void includesFollowsOsgiBounds(String range, String version, boolean expected) {
        assertThat(VersionRange.parse(range).includes(Version.parse(version))).isEqualTo(expected);
    }

    @Test
    void bareVersionMeansAtLeast() {
        VersionRange r = VersionRange.parse("1.2");
        assertThat(r.floor()).isEqualTo(Version.parse("1.2.0"));
        assertThat(r.floorIncluded()).isTrue();
        assertThat(r.ceiling()).isNull();
        assertThat(r).isEqualTo(VersionRange.atLeast(Version.parse("1.2")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "[1.0,2.0", "1.0,2.0)", "[1.0]", "[1.0,2.0,3.0)", "{1.0,2.0}", "[1.x,2.0)",
            "[1.0,)", "[,2.0)", "1.0,2.0", "1.0)", "[1.0;2.0)", "\"\""})
    void refusesMalformedRanges(String text) {
        assertThatThrownBy(() -> VersionRange.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("version range");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[2.0,1.0)", "[2.0,1.0]", "[1.0,1.0)", "(1.0,1.0]", "(1.0,1.0)"})
    void refusesEmptyRangesAsMistakes(String text) {
        assertThatThrownBy(() -> VersionRange.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is empty");
    }

    @Test
    void malformedBoundNamesTheRangeAndTheBound() {
        assertThatThrownBy(() -> VersionRange.parse("[1.0,2.beta)"))
                .hasMessageContaining("'[1.0,2.beta)'").hasMessageContaining("'beta' is not a non-negative integer");
    }

    @Test
    void printsCanonicalFormThatParsesBack() {
        for (String s : new String[] {"[1.0,2.0)", "(1.0,2.0]", "[1.2,1.3]", "(1,2)", "1.0", "[1.0.0.a,1.0.0.b)"}) {
            VersionRange r = VersionRange.parse(s);
            assertThat(VersionRange.parse(r.toString())).isEqualTo(r).hasSameHashCodeAs(r);
        }
        assertThat(VersionRange.parse("[1.0,2.0)").toString()).isEqualTo("[1.0.0,2.0.0)");
        assertThat(VersionRange.parse("1.0").toString()).isEqualTo("1.0.0");
    }
}

package dev.bertj.benchmarks;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ServiceSectionTest {

    @Test
    void parsesTheLuaScriptsSummaryLine() {
        String out = "Running 5s test @ http://127.0.0.1:8080/v1/embed\n  2 threads and 4 connections\n"
                + "BENCH requests=120 duration_us=5000000 status=2 timeout=1 connect=0 read=3 write=0 p50=30500 "
                + "p95=61000 p99=90000 max=120000\n";
        ServiceSection.WrkResult r = ServiceSection.WrkResult.parse(out);
        assertThat(r.requests()).isEqualTo(120);
        assertThat(r.perSecond()).isCloseTo(24, within(1e-9));
        assertThat(r.non2xx()).isEqualTo(2);
        assertThat(r.timeouts()).isEqualTo(1);
        assertThat(r.socketErrors()).isEqualTo(3);
        assertThat(r.p50Ms()).isEqualTo(30.5);
        assertThat(r.p95Ms()).isEqualTo(61);
        assertThat(r.p99Ms()).isEqualTo(90);
        assertThat(r.maxMs()).isEqualTo(120);
    }

    @Test
    void failsLoudlyWhenWrkPrintedNoSummary() {
        assertThatThrownBy(() -> ServiceSection.WrkResult.parse("unable to connect to 127.0.0.1:1 Connection refused"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Connection refused");
    }

    @Test
    void luaScriptPostsTheBodyAndPrintsEveryField() {
        String lua = ServiceSection.luaScript("{\"inputs\": \"a \\\"quoted\\\" text\"}");
        assertThat(lua).contains("wrk.method = \"POST\"", "Content-Type", "wrk.body = [[{\"inputs\": \"a \\\"quoted\\\" text\"}]]",
                "latency:percentile(95)", "summary.errors.timeout");
        for (String key : new String[] {"requests=", "duration_us=", "status=", "timeout=", "connect=", "read=", "write=",
            "p50=", "p95=", "p99=", "max="}) {
            assertThat(lua).contains(key);
        }
    }
}

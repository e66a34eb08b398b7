package dev.bertj.plugins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.jar.Attributes;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PluginManifestTest {

    private static Manifest manifest(String... headerValuePairs) {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        for (int i = 0; i < headerValuePairs.length; i += 2) {
            m.getMainAttributes().putValue(headerValuePairs[i], headerValuePairs[i + 1]);
        }
        return m;
    }

    private static Manifest valid() {
        return manifest("Bertj-Plugin-Id", "acme-sentiment", "Bertj-Plugin-Version", "1.2.0",
                "Bertj-Plugin-Requires", "[1.0,2.0)", "Bertj-Plugin-Description", "Sentiment head",
                "Bertj-Plugin-Vendor", "ACME Inc.");
    }

    @Test
    void readsEveryHeader() throws Exception {
        PluginManifest m = PluginManifest.read(valid());
        assertThat(m.id()).isEqualTo("acme-sentiment");
        assertThat(m.version()).isEqualTo(Version.parse("1.2.0"));
        assertThat(m.requires()).isEqualTo(VersionRange.parse("[1.0,2.0)"));
        assertThat(m.description()).isEqualTo("Sentiment head");
        assertThat(m.vendor()).isEqualTo("ACME Inc.");
        assertThat(m.label()).isEqualTo("acme-sentiment@1.2.0");
    }

    @Test
    void vendorIsOptional() throws Exception {
        Manifest mf = valid();
        mf.getMainAttributes().remove(new Attributes.Name("Bertj-Plugin-Vendor"));
        assertThat(PluginManifest.read(mf).vendor()).isNull();
    }

    @Test
    void writesWhatItReads() throws Exception {
        PluginManifest m = PluginManifest.read(valid());
        Manifest out = new Manifest();
        m.writeTo(out);
        assertThat(PluginManifest.read(out)).isEqualTo(m);
    }

    @Test
    void noManifestNamesTheHeadersNeeded() {
        assertThatThrownBy(() -> PluginManifest.read(null))
                .isInstanceOf(PluginManifestException.class)
                .hasMessageContaining("no META-INF/MANIFEST.MF")
                .hasMessageContaining("Bertj-Plugin-Id").hasMessageContaining("Bertj-Plugin-Requires");
    }

    @Test
    void eachMissingHeaderIsNamed() {
        PluginManifestException e = catchThrowableOfType(PluginManifestException.class,
                () -> PluginManifest.read(manifest()));
        assertThat(e.problems()).containsExactly(
                "header Bertj-Plugin-Id is missing",
                "header Bertj-Plugin-Version is missing",
                "header Bertj-Plugin-Requires is missing",
                "header Bertj-Plugin-Description is missing");
        assertThat(e.pluginId()).isNull();
    }

    @Test
    void invalidValuesNameHeaderAndValueAndKeepTheId() {
        PluginManifestException e = catchThrowableOfType(PluginManifestException.class, () -> PluginManifest.read(
                manifest("Bertj-Plugin-Id", "acme", "Bertj-Plugin-Version", "1.x", "Bertj-Plugin-Requires",
                        "[2.0,1.0)", "Bertj-Plugin-Description", " ")));
        assertThat(e.pluginId()).isEqualTo("acme");
        assertThat(e.problems()).hasSize(3);
        assertThat(e.problems().get(0)).startsWith("header Bertj-Plugin-Version has an invalid value '1.x'");
        assertThat(e.problems().get(1)).startsWith("header Bertj-Plugin-Requires has an invalid value '[2.0,1.0)'")
                .contains("is empty");
        assertThat(e.problems().get(2)).isEqualTo("header Bertj-Plugin-Description is empty");
        assertThat(e.getMessage()).isEqualTo(String.join("; ", e.problems()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"../etc", "a/b", "a b", ".hidden", "-x", "a..b", "x\\y",
            "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcde"})
    void refusesIdsThatCannotBeNamesInUrlsOrPaths(String id) {
        Manifest mf = valid();
        mf.getMainAttributes().putValue("Bertj-Plugin-Id", id);
        PluginManifestException e = catchThrowableOfType(PluginManifestException.class, () -> PluginManifest.read(mf));
        assertThat(e).hasMessageContaining("header Bertj-Plugin-Id has an invalid value '" + id + "'");
        assertThat(e.pluginId()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlm", "nsp", "qa", "com.acme.sentiment", "head_2", "A-1"})
    void acceptsPlainIds(String id) {
        assertThat(PluginManifest.isValidId(id)).isTrue();
    }
}

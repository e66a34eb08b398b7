package dev.bertj.app.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.bertj.app.config.ServiceConfig;
import dev.bertj.app.model.ModelStore;
import dev.bertj.app.model.SafeNames;
import dev.bertj.app.plugin.HeadPlugins;
import dev.bertj.app.problem.ProblemException;
import dev.bertj.app.security.Management;
import dev.bertj.plugins.PluginManifest;
import dev.bertj.plugins.PluginState;
import dev.bertj.plugins.PluginStatus;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.jar.JarFile;

/**
 * Head plugins: listed, uploaded (a jar, written only into the plugins directory, size-limited) and removed.
 * An uploaded head answers as soon as the upload returns; a removed one stops answering at once.
 */
@jakarta.ws.rs.Path("/v1/plugins")
@Produces(MediaType.APPLICATION_JSON)
@Management
@Tag(name = "plugins")
public class PluginsResource {

    @Inject
    HeadPlugins plugins;
    @Inject
    ModelStore store;
    @Inject
    ServiceConfig config;

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PluginInfo(String id, String version, String state, String reason,
                             @JsonProperty("built_in") boolean builtIn, String file, String description,
                             String vendor, String requires, List<String> providers, boolean selected,
                             String selection, long calls, @JsonProperty("failed_calls") long failedCalls,
                             @JsonProperty("timed_out_calls") long timedOutCalls) {
    }

    @GET
    @Operation(summary = "Installed head plugins with their state, failures and call counts")
    public List<PluginInfo> list() {
        return plugins.runtime().plugins().stream().filter(p -> p.state() != PluginState.UNINSTALLED)
                .map(this::info).toList();
    }

    @POST
    @Consumes({"application/java-archive", MediaType.APPLICATION_OCTET_STREAM})
    @Operation(summary = "Upload a head jar into the plugins directory and start it")
    public Response upload(@QueryParam("name") String name, InputStream body) throws IOException {
        if (body == null) {
            throw ProblemException.badRequest("the request needs the jar as its body");
        }
        java.nio.file.Path dir = config.dirs().plugins().toAbsolutePath().normalize();
        Files.createDirectories(dir);
        // Written under a dot name (ignored by the drop-in watcher), then renamed once checked.
        java.nio.file.Path tmp = Files.createTempFile(dir, ".upload-", ".jar.tmp");
        try {
            copyLimited(body, tmp, config.plugins().maxUploadBytes());
            PluginManifest manifest = readManifest(tmp);
            String fileName = name != null ? name : manifest.id() + "-" + manifest.version() + ".jar";
            if (!fileName.endsWith(".jar")) {
                throw ProblemException.badRequest("plugin file name must end in .jar, got " + quote(fileName));
            }
            java.nio.file.Path target = SafeNames.inside(dir, "plugin file name", fileName);
            if (Files.exists(target)) {
                throw ProblemException.conflict("a plugin file " + fileName + " exists already; DELETE /v1/plugins/"
                        + manifest.id() + " first");
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            PluginStatus status = plugins.runtime().install(target);
            if (status.state() == PluginState.FAILED) {
                Files.deleteIfExists(target);
                throw ProblemException.unprocessable("plugin refused: " + status.reason());
            }
            store.reconcileHeads();
            return Response.created(URI.create("/v1/plugins/" + status.id())).entity(info(status)).build();
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @DELETE
    @jakarta.ws.rs.Path("/{id}")
    @Operation(summary = "Stop and uninstall a plugin; its file in the plugins directory is deleted")
    public Response delete(@PathParam("id") String id) throws IOException {
        SafeNames.check("plugin id", id);
        java.nio.file.Path dir = config.dirs().plugins().toAbsolutePath().normalize();
        List<PluginStatus> removed = plugins.runtime().uninstall(id);
        if (removed.isEmpty()) {
            throw ProblemException.notFound("plugin", "no plugin '" + id + "' is installed");
        }
        for (PluginStatus s : removed) {
            if (!s.builtIn() && s.source() != null) {
                java.nio.file.Path file = java.nio.file.Path.of(s.source()).toAbsolutePath().normalize();
                if (file.getParent() != null && file.getParent().equals(dir)) {
                    Files.deleteIfExists(file);
                }
            }
        }
        store.reconcileHeads();
        return Response.noContent().build();
    }

    private static void copyLimited(InputStream in, java.nio.file.Path to, long limit) throws IOException {
        long total = 0;
        byte[] buf = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(to)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                total += n;
                if (total > limit) {
                    throw ProblemException.tooLarge("the upload exceeds " + limit
                            + " bytes (bertj.plugins.max-upload-bytes)");
                }
                out.write(buf, 0, n);
            }
        }
        if (total == 0) {
            throw ProblemException.badRequest("the request needs the jar as its body");
        }
    }

    private static PluginManifest readManifest(java.nio.file.Path jar) {
        try (JarFile file = new JarFile(jar.toFile(), false)) {
            if (file.getManifest() == null) {
                throw ProblemException.unprocessable("the jar has no META-INF/MANIFEST.MF with Bertj-Plugin-* headers");
            }
            return PluginManifest.read(file.getManifest());
        } catch (IOException e) {
            throw ProblemException.unprocessable("not a jar file: " + e.getMessage());
        } catch (dev.bertj.plugins.PluginManifestException e) {
            throw ProblemException.unprocessable("invalid plugin manifest: " + e.getMessage());
        }
    }

    private static String quote(String s) {
        return "'" + (s.length() > 64 ? s.substring(0, 64) + "..." : s) + "'";
    }

    private PluginInfo info(PluginStatus s) {
        String file = s.builtIn() || s.source() == null ? null : java.nio.file.Path.of(s.source()).getFileName().toString();
        return new PluginInfo(s.id(), s.version() == null ? null : s.version().toString(),
                s.state().name().toLowerCase(), s.reason(), s.builtIn(), file, s.description(), s.vendor(),
                s.requires() == null ? null : s.requires().toString(), s.providers(), s.selected(), s.selection(),
                s.calls(), s.failedCalls(), s.timedOutCalls());
    }
}

package dev.bertj.plugins;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Enumeration;

/**
 * The class loader of one plugin jar. Its parent is the service interface's class loader, never the system class
 * loader (inside the Quarkus prod jar the system class loader cannot see the application's classes), so the plugin
 * shares the host's service interface and core classes and keeps its own classes to itself. Delegation is parent
 * first: a plugin cannot replace a host class.
 *
 * <p>Service registrations are the one exception to parent-first: {@code META-INF/services/*} is looked up in this
 * jar only, so {@link java.util.ServiceLoader} run on this loader sees the plugin's own providers and not the
 * host's.
 */
final class PluginClassLoader extends URLClassLoader {

    private static final String SERVICES = "META-INF/services/";

    static {
        registerAsParallelCapable();
    }

    PluginClassLoader(String name, URL jar, ClassLoader parent) {
        super(name, new URL[] {jar}, parent);
    }

    @Override
    public URL getResource(String name) {
        return name.startsWith(SERVICES) ? findResource(name) : super.getResource(name);
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        return name.startsWith(SERVICES) ? findResources(name) : super.getResources(name);
    }
}

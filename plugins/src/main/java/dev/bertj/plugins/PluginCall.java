package dev.bertj.plugins;

/**
 * Work to do with one of a plugin's service providers, run by {@link PluginRuntime#call}.
 *
 * @param <S> the service interface
 * @param <R> the result
 */
@FunctionalInterface
public interface PluginCall<S, R> {
    R apply(S provider) throws Exception;
}

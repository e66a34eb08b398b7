package dev.bertj.plugins;

import dev.bertj.core.spi.PluginLifecycle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The work of starting and stopping a plugin's providers, run on its own thread under a timeout. */
final class LifecycleSteps {

    private LifecycleSteps() {
    }

    /**
     * Runs a lifecycle step (instantiating providers, start and stop hooks) on a fresh daemon thread with the
     * plugin's class loader as context class loader, and waits at most {@code timeout}. A step that does not finish
     * is interrupted and abandoned. A fresh thread, not the call pool, so that hung calls cannot block a start.
     */
    static <T> T run(String name, ClassLoader contextLoader, Callable<T> step, Duration timeout)
            throws ExecutionException, TimeoutException, InterruptedException {
        FutureTask<T> task = new FutureTask<>(step);
        Thread thread = new Thread(task, "bertj-plugin-" + name);
        thread.setDaemon(true);
        thread.setContextClassLoader(contextLoader);
        thread.start();
        try {
            return task.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            task.cancel(true);
            throw new TimeoutException("did not finish within " + timeout.toMillis() + " ms (interrupted)");
        } catch (InterruptedException e) {
            task.cancel(true);
            throw e;
        }
    }

    /** Runs on the lifecycle thread: creates every provider, then starts them; undoes the started ones on error. */
    static <S> List<S> instantiateAndStart(List<ServiceLoader.Provider<S>> found) throws Exception {
        List<S> instances = new ArrayList<>();
        for (ServiceLoader.Provider<S> p : found) {
            instances.add(p.get());
        }
        List<PluginLifecycle> started = new ArrayList<>();
        try {
            for (S s : instances) {
                if (s instanceof PluginLifecycle hooks) {
                    hooks.start();
                    started.add(hooks);
                }
            }
        } catch (Exception | LinkageError e) {
            for (int i = started.size() - 1; i >= 0; i--) {
                try {
                    started.get(i).stop();
                } catch (Exception | LinkageError suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
        return instances;
    }

    /** Runs every stop hook, in reverse order; returns the failures in words, or {@code null}. */
    static <S> String stopAll(List<S> instances) {
        List<String> problems = new ArrayList<>();
        for (int i = instances.size() - 1; i >= 0; i--) {
            if (instances.get(i) instanceof PluginLifecycle hooks) {
                try {
                    hooks.stop();
                } catch (Exception | LinkageError e) {
                    problems.add(CallGuard.describe(e));
                }
            }
        }
        return problems.isEmpty() ? null : String.join("; ", problems);
    }

}

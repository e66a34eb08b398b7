package dev.bertj.plugins;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs calls into plugins on a bounded pool, with a timeout, the plugin's class loader as context class loader,
 * and a per-plugin bound on calls in flight. Turns whatever goes wrong into a {@link PluginCallException} naming the
 * plugin, and counts it.
 */
final class CallGuard implements AutoCloseable {

    /** Told about every failed call, after it was counted. */
    interface FailureSink {
        void callFailed(Installation<?> plugin, PluginCallException failure);
    }

    private final ThreadPoolExecutor pool;
    private final FailureSink sink;

    CallGuard(int threads, int queue, FailureSink sink) {
        this.sink = sink;
        this.pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queue),
                daemonThreads("bertj-plugin-call-"), new ThreadPoolExecutor.AbortPolicy());
        pool.allowCoreThreadTimeOut(true);
    }

    <S, R> R call(Installation<S> plugin, S provider, PluginCall<? super S, ? extends R> fn, Duration timeout) {
        Objects.requireNonNull(fn, "fn");
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("a call timeout must be positive, got " + timeout);
        }
        plugin.calls.incrementAndGet();
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            if (!plugin.permits.tryAcquire(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw fail(plugin, PluginCallException.Kind.REJECTED, "refused: " + plugin.maxCalls
                        + " calls already in flight for " + timeout.toMillis() + " ms (earlier calls may hang)", null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw fail(plugin, PluginCallException.Kind.INTERRUPTED, "interrupted while waiting to call", e);
        }
        AtomicBoolean started = new AtomicBoolean();
        AtomicBoolean released = new AtomicBoolean();
        Runnable release = () -> {
            if (released.compareAndSet(false, true)) {
                plugin.permits.release();
            }
        };
        ClassLoader pluginLoader = plugin.loader;
        Callable<R> task = () -> {
            started.set(true);
            Thread thread = Thread.currentThread();
            ClassLoader before = thread.getContextClassLoader();
            thread.setContextClassLoader(pluginLoader);
            try {
                return fn.apply(provider);
            } finally {
                thread.setContextClassLoader(before);
                release.run();
            }
        };
        Future<R> future;
        try {
            future = pool.submit(task);
        } catch (RejectedExecutionException e) {
            release.run();
            String why = pool.isShutdown() ? "the plugin runtime is closed"
                    : "the plugin call executor is saturated (" + pool.getMaximumPoolSize() + " threads, "
                            + pool.getQueue().size() + " queued)";
            throw fail(plugin, PluginCallException.Kind.REJECTED, "refused: " + why, e);
        }
        try {
            return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            if (!started.get()) {
                release.run();
            }
            plugin.timedOutCalls.incrementAndGet();
            throw fail(plugin, PluginCallException.Kind.TIMED_OUT, "call did not finish within "
                    + timeout.toMillis() + " ms and was cancelled", null);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw fail(plugin, PluginCallException.Kind.FAILED, "call threw " + describe(cause), cause);
        } catch (CancellationException e) {
            throw fail(plugin, PluginCallException.Kind.FAILED, "call was cancelled", e);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw fail(plugin, PluginCallException.Kind.INTERRUPTED, "interrupted while waiting for the call;"
                    + " cancelled it", e);
        }
    }

    private PluginCallException fail(Installation<?> plugin, PluginCallException.Kind kind, String what,
            Throwable cause) {
        String message = "plugin " + plugin.label() + ": " + what;
        PluginCallException failure = new PluginCallException(plugin.id(), plugin.version(), kind, message, cause);
        plugin.failedCalls.incrementAndGet();
        plugin.lastCallFailure = message;
        sink.callFailed(plugin, failure);
        return failure;
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }

    /** {@code Type: message; caused by Type: message}, at most three levels: enough to say what went wrong. */
    static String describe(Throwable t) {
        StringBuilder s = new StringBuilder();
        Throwable c = t;
        for (int depth = 0; c != null && depth < 3; depth++, c = c.getCause()) {
            if (depth > 0) {
                s.append("; caused by ");
            }
            s.append(c.getClass().getName());
            if (c.getMessage() != null) {
                s.append(": ").append(c.getMessage());
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return s.toString();
    }

    static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}

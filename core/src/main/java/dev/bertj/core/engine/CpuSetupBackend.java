package dev.bertj.core.engine;

import org.nd4j.common.io.Resource;
import org.nd4j.linalg.factory.Environment;
import org.nd4j.linalg.factory.Nd4jBackend;

/**
 * Not a backend: a hook that runs {@link CpuSetup#ensure()} before ND4J loads native code, whoever touches ND4J
 * first. ND4J instantiates every {@link Nd4jBackend} listed in {@code META-INF/services} before it picks one and
 * loads its libraries; this one reports itself unavailable with the lowest priority, so ND4J always goes on to
 * its CPU backend.
 */
public final class CpuSetupBackend extends Nd4jBackend {

    public CpuSetupBackend() {
        CpuSetup.ensure();
    }

    @Override
    public boolean allowsOrder() {
        return false;
    }

    @Override
    public int getPriority() {
        return -1000;
    }

    @Override
    public boolean isAvailable() {
        return false;
    }

    @Override
    public boolean canRun() {
        return false;
    }

    @Override
    public Resource getConfigurationResource() {
        throw new UnsupportedOperationException("bertj CPU setup hook, not a backend");
    }

    @Override
    public Class getNDArrayClass() {
        throw new UnsupportedOperationException("bertj CPU setup hook, not a backend");
    }

    @Override
    public Environment getEnvironment() {
        throw new UnsupportedOperationException("bertj CPU setup hook, not a backend");
    }

    @Override
    public String buildInfo() {
        return "bertj CPU setup hook: " + CpuSetup.ensure();
    }

    @Override
    public void logBackendInit() {
    }
}

package dev.bertj.core.engine;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Chooses the CPU kernels before any test class loads ND4J (registered in META-INF/services), so every test runs
 * with the settings users get, whatever the test order.
 */
public final class CpuSetupSessionListener implements LauncherSessionListener {

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        CpuSetup.ensure();
    }
}

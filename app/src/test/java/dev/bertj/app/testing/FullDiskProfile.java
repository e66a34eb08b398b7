package dev.bertj.app.testing;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The test configuration with the models directory on a small tmpfs ({@link ServiceDirs} mounts it when it sees
 * this profile), for a job whose checkpoint meets a full disk.
 */
public class FullDiskProfile implements QuarkusTestProfile {

    /** Room for the test's tiny models (~150 KB each) and a startup's resumed job; the test fills the rest. */
    public static final long DISK_BYTES = 16L << 20;
}

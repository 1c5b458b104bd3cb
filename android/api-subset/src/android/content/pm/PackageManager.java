package android.content.pm;

/** API 1. Only the members the shikaku library uses. */
public abstract class PackageManager {
    /** API 28. */
    public static final String FEATURE_STRONGBOX_KEYSTORE = "android.hardware.strongbox_keystore";

    public PackageManager() {
        throw new RuntimeException("Stub!");
    }

    /** API 5. */
    public abstract boolean hasSystemFeature(String featureName);
}

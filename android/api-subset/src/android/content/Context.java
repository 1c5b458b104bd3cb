package android.content;

import android.content.pm.PackageManager;

/** API 1. Only the members the shikaku library uses. */
public abstract class Context {
    public Context() {
        throw new RuntimeException("Stub!");
    }

    public abstract PackageManager getPackageManager();
}

package android.app;

import android.view.ContextThemeWrapper;

/** API 1. Only its place in the type hierarchy (an Activity is a Context) is used. */
public class Activity extends ContextThemeWrapper {
    public Activity() {
        throw new RuntimeException("Stub!");
    }
}

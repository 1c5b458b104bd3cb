package android.view;

import android.content.Context;
import android.content.ContextWrapper;

/** API 1. */
public class ContextThemeWrapper extends ContextWrapper {
    public ContextThemeWrapper() {
        super(null);
        throw new RuntimeException("Stub!");
    }
}

package android.os;

/** API 1. */
public final class Bundle extends BaseBundle {
    public Bundle() {
        throw new RuntimeException("Stub!");
    }
}

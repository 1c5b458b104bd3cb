package android.os;

/** API 21 (the putters moved here from Bundle). */
public class BaseBundle {
    BaseBundle() {
        throw new RuntimeException("Stub!");
    }

    /** API 1 (declared here since API 21). */
    public void putInt(String key, int value) {
        throw new RuntimeException("Stub!");
    }
}

package android.os;

/** API 1. */
public class Build {
    public Build() {
        throw new RuntimeException("Stub!");
    }

    /** API 1. */
    public static class VERSION {
        /** API 4. Not a compile-time constant (read from the device at run time). */
        public static final int SDK_INT;

        static {
            SDK_INT = 0;
        }

        public VERSION() {
            throw new RuntimeException("Stub!");
        }
    }

    /** API 4. */
    public static class VERSION_CODES {
        /** API 28, Android 9. */
        public static final int P = 28;

        public VERSION_CODES() {
            throw new RuntimeException("Stub!");
        }
    }
}

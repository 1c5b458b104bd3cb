package android.security.keystore;

/** API 23. Only the constants the shikaku library uses. */
public abstract class KeyProperties {
    public static final int PURPOSE_ENCRYPT = 1;
    public static final int PURPOSE_DECRYPT = 2;
    public static final String KEY_ALGORITHM_AES = "AES";
    public static final String BLOCK_MODE_GCM = "GCM";
    public static final String ENCRYPTION_PADDING_NONE = "NoPadding";

    KeyProperties() {
        throw new RuntimeException("Stub!");
    }
}

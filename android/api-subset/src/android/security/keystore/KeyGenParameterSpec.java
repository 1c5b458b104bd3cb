package android.security.keystore;

import java.security.spec.AlgorithmParameterSpec;

/** API 23. Only the members the shikaku library uses. */
public final class KeyGenParameterSpec implements AlgorithmParameterSpec {
    KeyGenParameterSpec() {
        throw new RuntimeException("Stub!");
    }

    /** API 23. */
    public static final class Builder {
        public Builder(String keystoreAlias, int purposes) {
            throw new RuntimeException("Stub!");
        }

        public Builder setKeySize(int keySize) {
            throw new RuntimeException("Stub!");
        }

        public Builder setBlockModes(String... blockModes) {
            throw new RuntimeException("Stub!");
        }

        public Builder setEncryptionPaddings(String... paddings) {
            throw new RuntimeException("Stub!");
        }

        public Builder setRandomizedEncryptionRequired(boolean required) {
            throw new RuntimeException("Stub!");
        }

        /** API 28. */
        public Builder setIsStrongBoxBacked(boolean isStrongBoxBacked) {
            throw new RuntimeException("Stub!");
        }

        public KeyGenParameterSpec build() {
            throw new RuntimeException("Stub!");
        }
    }
}

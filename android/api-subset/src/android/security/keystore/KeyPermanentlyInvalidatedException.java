package android.security.keystore;

import java.security.InvalidKeyException;

/** API 23. */
public class KeyPermanentlyInvalidatedException extends InvalidKeyException {
    public KeyPermanentlyInvalidatedException() {
        throw new RuntimeException("Stub!");
    }
}

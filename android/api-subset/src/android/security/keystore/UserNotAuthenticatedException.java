package android.security.keystore;

import java.security.InvalidKeyException;

/** API 23. */
public class UserNotAuthenticatedException extends InvalidKeyException {
    public UserNotAuthenticatedException() {
        throw new RuntimeException("Stub!");
    }
}

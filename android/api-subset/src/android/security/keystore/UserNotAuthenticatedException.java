package android.security.keystore;

import java.security.InvalidKeyException;

/** API 23. */
public class UserNotAuthenticatedException extends InvalidKeyException {
    public UserNotAuthenticatedException() {
        throw new RuntimeException("Stub!");
    }

    public UserNotAuthenticatedException(String message) {
        throw new RuntimeException("Stub!");
    }

    public UserNotAuthenticatedException(String message, Throwable cause) {
        throw new RuntimeException("Stub!");
    }
}

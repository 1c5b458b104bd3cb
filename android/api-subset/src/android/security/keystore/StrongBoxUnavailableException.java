package android.security.keystore;

import java.security.ProviderException;

/** API 28. */
public class StrongBoxUnavailableException extends ProviderException {
    public StrongBoxUnavailableException() {
        throw new RuntimeException("Stub!");
    }

    public StrongBoxUnavailableException(String message) {
        throw new RuntimeException("Stub!");
    }

    public StrongBoxUnavailableException(String message, Throwable cause) {
        throw new RuntimeException("Stub!");
    }

    public StrongBoxUnavailableException(Throwable cause) {
        throw new RuntimeException("Stub!");
    }
}

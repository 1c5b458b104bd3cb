package android.security.keystore;

import java.security.ProviderException;

/** API 28. */
public class StrongBoxUnavailableException extends ProviderException {
    public StrongBoxUnavailableException() {
        throw new RuntimeException("Stub!");
    }
}

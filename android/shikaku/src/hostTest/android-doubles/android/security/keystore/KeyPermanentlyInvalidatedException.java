package android.security.keystore;

import java.security.InvalidKeyException;

/** Host-test double: the SDK class with working constructors (the stub's throw "Stub!"). */
public class KeyPermanentlyInvalidatedException extends InvalidKeyException {
    public KeyPermanentlyInvalidatedException() {
        super();
    }

    public KeyPermanentlyInvalidatedException(String message) {
        super(message);
    }

    public KeyPermanentlyInvalidatedException(String message, Throwable cause) {
        super(message, cause);
    }
}

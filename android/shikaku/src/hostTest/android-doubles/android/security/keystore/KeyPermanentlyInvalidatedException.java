package android.security.keystore;

import java.security.InvalidKeyException;

/** Host-test double: the SDK class with working constructors (the stub's throw "Stub!"). */
public class KeyPermanentlyInvalidatedException extends InvalidKeyException {
    public KeyPermanentlyInvalidatedException() {
        super();
    }
}

package android.nfc;

import java.io.IOException;

/** Host-test double: the SDK class with working constructors (the stub's throw "Stub!"). */
public class TagLostException extends IOException {
    public TagLostException() {
        super();
    }

    public TagLostException(String message) {
        super(message);
    }
}

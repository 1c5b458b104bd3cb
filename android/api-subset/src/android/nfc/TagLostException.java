package android.nfc;

import java.io.IOException;

/** API 10. */
public class TagLostException extends IOException {
    public TagLostException() {
        throw new RuntimeException("Stub!");
    }

    public TagLostException(String message) {
        throw new RuntimeException("Stub!");
    }
}

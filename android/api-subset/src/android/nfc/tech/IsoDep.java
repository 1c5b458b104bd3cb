package android.nfc.tech;

import android.nfc.Tag;
import java.io.IOException;

/** API 10. */
public final class IsoDep extends BasicTagTechnology {
    IsoDep() {
        throw new RuntimeException("Stub!");
    }

    /** API 10. */
    public static IsoDep get(Tag tag) {
        throw new RuntimeException("Stub!");
    }

    /** API 10. */
    public void setTimeout(int timeout) {
        throw new RuntimeException("Stub!");
    }

    /** API 10 (public since API 14). */
    public int getTimeout() {
        throw new RuntimeException("Stub!");
    }

    /** API 14. */
    public int getMaxTransceiveLength() {
        throw new RuntimeException("Stub!");
    }

    /** API 16. */
    public boolean isExtendedLengthApduSupported() {
        throw new RuntimeException("Stub!");
    }

    /** API 10. */
    public byte[] transceive(byte[] data) throws IOException {
        throw new RuntimeException("Stub!");
    }
}

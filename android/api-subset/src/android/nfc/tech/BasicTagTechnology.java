package android.nfc.tech;

import java.io.IOException;

/** Package-private in the SDK too; IsoDep inherits its public methods. */
abstract class BasicTagTechnology implements TagTechnology {
    BasicTagTechnology() {
        throw new RuntimeException("Stub!");
    }

    public boolean isConnected() {
        throw new RuntimeException("Stub!");
    }

    public void connect() throws IOException {
        throw new RuntimeException("Stub!");
    }

    public void close() throws IOException {
        throw new RuntimeException("Stub!");
    }
}

package android.nfc.tech;

import java.io.Closeable;
import java.io.IOException;

/** API 10. (Its getTag() is not used by the library and left out.) */
public interface TagTechnology extends Closeable {
    void connect() throws IOException;

    void close() throws IOException;

    boolean isConnected();
}

package android.nfc.tech;

import android.nfc.Tag;
import java.io.Closeable;
import java.io.IOException;

/** API 10. */
public interface TagTechnology extends Closeable {
    Tag getTag();

    void connect() throws IOException;

    void close() throws IOException;

    boolean isConnected();
}

package android.nfc;

import android.app.Activity;
import android.content.Context;
import android.os.Bundle;

/** API 9. Only the members the shikaku library uses (reader mode). */
public final class NfcAdapter {
    /** API 19. */
    public static final int FLAG_READER_NFC_A = 1;
    /** API 19. */
    public static final int FLAG_READER_NFC_B = 2;
    /** API 19. */
    public static final int FLAG_READER_SKIP_NDEF_CHECK = 128;
    /** API 19. */
    public static final int FLAG_READER_NO_PLATFORM_SOUNDS = 256;
    /** API 19. */
    public static final String EXTRA_READER_PRESENCE_CHECK_DELAY = "presence";

    NfcAdapter() {
        throw new RuntimeException("Stub!");
    }

    /** API 10. */
    public static NfcAdapter getDefaultAdapter(Context context) {
        throw new RuntimeException("Stub!");
    }

    /** API 9. */
    public boolean isEnabled() {
        throw new RuntimeException("Stub!");
    }

    /** API 19. */
    public void enableReaderMode(Activity activity, ReaderCallback callback, int flags, Bundle extras) {
        throw new RuntimeException("Stub!");
    }

    /** API 19. */
    public void disableReaderMode(Activity activity) {
        throw new RuntimeException("Stub!");
    }

    /** API 19. */
    public interface ReaderCallback {
        void onTagDiscovered(Tag tag);
    }
}

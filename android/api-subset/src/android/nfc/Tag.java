package android.nfc;

/** API 10. Only the type is used (handed from reader mode to IsoDep.get). */
public final class Tag {
    Tag() {
        throw new RuntimeException("Stub!");
    }
}

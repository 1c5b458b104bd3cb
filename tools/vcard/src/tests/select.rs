//! SELECT: applications by AID, the MF, EFs by id, and their errors.

use super::*;

// ---------------------------------------------------------------- SELECT

#[test]
fn select_applications_and_unknown_aid() {
    let c = card();
    assert_eq!(tx(&c, SELECT_JPKI), h("90 00"));
    assert_eq!(tx(&c, SELECT_TEXT), h("90 00"));
    // The visual AP and a truncated AID are not on this card.
    assert_eq!(
        tx(&c, "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 02"),
        h("6A 82")
    );
    assert_eq!(
        tx(&c, "00 A4 04 0C 09 D3 92 F0 00 26 01 00 00 00"),
        h("6A 82")
    );
    // Trailing Le is tolerated.
    assert_eq!(tx(&c, &format!("{SELECT_JPKI} 00")), h("90 00"));
}

#[test]
fn select_bad_parameters_and_lengths() {
    let c = card();
    assert_eq!(
        tx(&c, "00 A4 04 00 0A D3 92 F0 00 26 01 00 00 00 01"),
        h("6A 86")
    );
    assert_eq!(tx(&c, "00 A4 09 0C 02 00 0A"), h("6A 86"));
    assert_eq!(tx(&c, "00 A4 04 0C"), h("67 00"));
    // Lc says 10, 9 bytes follow.
    assert_eq!(
        tx(&c, "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00"),
        h("67 00")
    );
    tx(&c, SELECT_JPKI);
    assert_eq!(tx(&c, "00 A4 02 0C 03 00 0A 00"), h("67 00"));
    assert_eq!(tx(&c, "00 A4 02 0C 01 0A"), h("67 00"));
    assert_eq!(tx(&c, "00 A4 00 0C 02 3F 00"), h("90 00"));
    assert_eq!(tx(&c, "00 A4 00 0C 02 3F 01"), h("6A 82"));
}

#[test]
fn select_ef_needs_a_df_and_a_known_id() {
    let c = card();
    assert_eq!(tx(&c, "00 A4 02 0C 02 00 0A"), h("6A 82"));
    tx(&c, SELECT_JPKI);
    for ef in [
        "0001", "0002", "0006", "000A", "000B", "0017", "0018", "001A", "001B",
    ] {
        assert_eq!(tx(&c, &format!("00 A4 02 0C 02 {ef}")), h("90 00"), "{ef}");
    }
    for ef in ["0003", "0008", "0011", "3F00", "FFFF"] {
        assert_eq!(tx(&c, &format!("00 A4 02 0C 02 {ef}")), h("6A 82"), "{ef}");
    }
    tx(&c, SELECT_TEXT);
    for ef in ["0001", "0002", "0011"] {
        assert_eq!(tx(&c, &format!("00 A4 02 0C 02 {ef}")), h("90 00"), "{ef}");
    }
    for ef in ["0003", "0004", "0005", "000A", "0018"] {
        assert_eq!(tx(&c, &format!("00 A4 02 0C 02 {ef}")), h("6A 82"), "{ef}");
    }
    // After MF selection the EFs are gone again.
    tx(&c, "00 A4 00 0C 02 3F 00");
    assert_eq!(tx(&c, "00 A4 02 0C 02 00 02"), h("6A 82"));
}

//! What a USB scanner types when its keyboard setting does not match the PC's: the typical
//! substitutions are undone where the mapping is unambiguous, the rest is a typed error that
//! names the scanner's setting, and the decoded bytes are verified exactly as before.

use super::*;

/// A real payload holding every character whose key differs between the US and JIS layouts
/// (`:` `*` `+`) beside the others; found by signing documents of growing version.
fn payload() -> (String, Vec<u8>) {
    for version in 1..500 {
        let mut doc = document();
        doc.version = version;
        let bytes = sign_ok(&doc);
        let qr = to_qr_payload(&bytes);
        if ["*", "+", " ", "$", "%", "-", ".", "/"]
            .iter()
            .all(|c| qr[4..].contains(c))
            && qr[4..].contains(':')
        {
            return (qr, bytes);
        }
    }
    panic!("no payload with every symbol");
}

/// What a US-layout scanner types on a JIS-layout PC (kbd-project.org "Keyboard scancodes",
/// §8: US Shift+; is JIS +, US Shift+8 is JIS (, US Shift+= is JIS Shift+^ = ~).
fn us_on_jis(qr: &str) -> String {
    qr.chars()
        .map(|c| match c {
            ':' => '+',
            '*' => '(',
            '+' => '~',
            c => c,
        })
        .collect()
}

/// What a JIS-layout scanner types on a US-layout PC (the same table read the other way: JIS
/// : is US ', JIS * (Shift+:) is US ", JIS + (Shift+;) is US :).
fn jis_on_us(qr: &str) -> String {
    qr.chars()
        .map(|c| match c {
            ':' => '\'',
            '*' => '"',
            '+' => ':',
            c => c,
        })
        .collect()
}

/// What an input method in full-width mode types.
fn full_width(qr: &str) -> String {
    qr.chars()
        .map(|c| match c {
            ' ' => '\u{3000}',
            c => char::from_u32(u32::from(c) + 0xFEE0).unwrap(),
        })
        .collect()
}

#[test]
fn layouts_width_and_case_are_undone_to_the_same_bytes() {
    let (qr, bytes) = payload();
    let typed = [
        us_on_jis(&qr),
        jis_on_us(&qr),
        full_width(&qr),
        qr.to_lowercase(),
        full_width(&us_on_jis(&qr)).to_lowercase(),
        jis_on_us(&qr).to_lowercase(),
        us_on_jis(&qr).replace('~', "\u{203E}"),
    ];
    for t in &typed {
        assert_ne!(t, &qr);
        assert_eq!(from_qr_payload(t).as_ref(), Ok(&bytes), "{t}");
        // And the bytes verify exactly as the printed payload's do.
        assert_eq!(
            verify(&from_qr_payload(t).unwrap())
                .unwrap()
                .document
                .version,
            verify(&bytes).unwrap().document.version
        );
    }
}

#[test]
fn normalising_never_makes_a_changed_payload_verify() {
    let (qr, _) = payload();
    let us = us_on_jis(&qr);
    // One character changed in the mis-typed text, at every position and to several others
    // of what that layout types: refused, as a changed printed payload is.
    const TYPED: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%(~-./+";
    let body = us.as_bytes();
    for i in (4..body.len()).step_by(3) {
        for step in [1, 13, 29] {
            let pos = TYPED.iter().position(|c| *c == body[i]).unwrap();
            let mut changed = body.to_vec();
            changed[i] = TYPED[(pos + step) % TYPED.len()];
            let changed = String::from_utf8(changed).unwrap();
            assert!(
                from_qr_payload(&changed).and_then(|b| verify(&b)).is_err(),
                "position {i} step {step}"
            );
        }
    }
}

#[test]
fn what_cannot_be_undone_names_the_scanner_setting() {
    let (qr, _) = payload();
    let us = us_on_jis(&qr);
    for typed in [
        // A layout that does not explain every character: `:` cannot come from a US scanner
        // on a JIS PC, nor `+` from a JIS scanner on a US PC.
        format!("{us}:"),
        format!("{}+", jis_on_us(&qr)),
        // Characters outside the QR alphanumeric set after the printed prefix.
        format!("{}({}", &qr[..10], &qr[11..]),
        format!("{qr}~"),
        // An input method in hiragana mode: kana.
        format!("ｓｋ１：あいう{}", &qr[4..]),
        // Another separator after SK1.
        qr.replacen("SK1:", "SK1;", 1),
    ] {
        let e = from_qr_payload(&typed).unwrap_err();
        assert_eq!(e, DocumentError::ScannerKeyboard, "{typed}");
        let message = e.to_string();
        assert!(message.contains("keyboard setting"), "{message}");
        assert!(!message.contains("forged"));
        assert!(e.scanner_hint_ja().unwrap().contains("キーボード設定"));
    }
    // Not a shikaku payload at all: still the prefix error, with no scanner hint.
    for other in ["HC1:ABC", "", "https://example.jp/", "SK"] {
        assert_eq!(
            from_qr_payload(other),
            Err(DocumentError::BadQr {
                reason: "missing the SK1: prefix"
            }),
            "{other}"
        );
    }
    assert_eq!(DocumentError::BadSignature.scanner_hint_ja(), None);
}

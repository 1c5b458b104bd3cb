//! The stored presentation documents (the QR form of an issuer-signed record): sealed under
//! their record, replaced, removed with the record, re-keyed, migrated into older stores, and
//! never readable on disk.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use common::*;
use rusqlite::Connection;
use shikaku_core::eligibility::{DocumentKind, Provenance, RecordId};
use shikaku_core::store::{
    Argon2Cost, MemoryKeyStore, PassphraseKeyStore, RowRef, SCHEMA_VERSION, Store, StoreError,
};
use zeroize::Zeroizing;

const KEK: [u8; 32] = [42; 32];

/// A presentation stand-in that carries personal values, so the scan has something to find.
const PRESENTATION: &[u8] = "qr-secret-7f3a 山田 太郎 ヤマダ タロウ 1985-04-12".as_bytes();

fn signed() -> Provenance {
    Provenance::IssuerSigned {
        key_id: "issuer-1".into(),
        signed_bytes: b"signed document bytes".to_vec(),
    }
}

/// A store with one member and two issuer-signed records.
fn setup(store: &mut Store) -> (RecordId, RecordId) {
    let (m, recs) = family().remove(0);
    let id = store.add_member(&m).unwrap();
    let a = store.put_record(id, &recs[0], &signed()).unwrap();
    let b = store.put_record(id, &recs[0], &signed()).unwrap();
    (a, b)
}

#[test]
fn put_read_replace_and_removed_with_the_record() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let mut store = Store::open(&path, &MemoryKeyStore::new(KEK)).unwrap();
    let (a, b) = setup(&mut store);
    assert_eq!(store.presentation(a).unwrap(), None);
    store.put_presentation(a, PRESENTATION).unwrap();
    assert_eq!(
        store.presentation(a).unwrap().as_deref(),
        Some(PRESENTATION)
    );
    assert_eq!(store.presentation(b).unwrap(), None);
    // Replaced, not added.
    store.put_presentation(a, b"second").unwrap();
    assert_eq!(
        store.presentation(a).unwrap().as_deref(),
        Some(&b"second"[..])
    );
    // For a record that does not exist: typed, nothing written.
    let ghost = RecordId::random();
    assert_eq!(
        store.put_presentation(ghost, PRESENTATION),
        Err(StoreError::NotFound { what: "record" })
    );
    // One transaction: a failing batch leaves no presentation behind.
    let res = store.write(|batch| {
        batch.put_presentation(b, PRESENTATION)?;
        batch.put_presentation(ghost, PRESENTATION)
    });
    assert!(res.is_err());
    assert_eq!(store.presentation(b).unwrap(), None);
    // Removing it keeps the record; removing the record removes it.
    store.write(|batch| batch.remove_presentation(a)).unwrap();
    assert_eq!(store.presentation(a).unwrap(), None);
    store.record(a).unwrap();
    store.put_presentation(b, PRESENTATION).unwrap();
    store.remove_record(b).unwrap();
    // The store holds its file while open: count the rows once it is closed.
    drop(store);
    let rows: i64 = Connection::open(&path)
        .unwrap()
        .query_row("SELECT count(*) FROM presentations", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 0);
}

#[test]
fn sealed_on_disk_and_bound_to_its_record() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let (a, b) = {
        let mut store = Store::open(&path, &MemoryKeyStore::new(KEK)).unwrap();
        let ids = setup(&mut store);
        store.put_presentation(ids.0, PRESENTATION).unwrap();
        store.put_presentation(ids.1, b"other").unwrap();
        ids
    };
    let needles: Vec<(String, Vec<u8>)> = ["山田 太郎", "ヤマダ タロウ", "1985-04-12"]
        .iter()
        .map(|s| (s.to_string(), s.as_bytes().to_vec()))
        .chain(std::iter::once((
            "qr-secret-7f3a".to_string(),
            b"qr-secret-7f3a".to_vec(),
        )))
        .collect();
    assert_eq!(scan_dir(dir.path(), &needles), vec![]);

    // A ciphertext copied onto another record's row does not open there.
    let c = Connection::open(&path).unwrap();
    let data: Vec<u8> = c
        .query_row(
            "SELECT data FROM presentations WHERE record_id = ?1",
            [a.to_string()],
            |r| r.get(0),
        )
        .unwrap();
    c.execute(
        "UPDATE presentations SET data = ?1 WHERE record_id = ?2",
        rusqlite::params![data, b.to_string()],
    )
    .unwrap();
    drop(c);
    let store = Store::open(&path, &MemoryKeyStore::new(KEK)).unwrap();
    assert_eq!(
        store.presentation(a).unwrap().as_deref(),
        Some(PRESENTATION)
    );
    assert_eq!(
        store.presentation(b),
        Err(StoreError::Corrupt {
            row: RowRef {
                table: "presentations",
                id: b.to_string()
            }
        })
    );
}

#[test]
fn a_rekey_reseals_the_presentations() {
    let pass =
        |p: &str| PassphraseKeyStore::with_cost(Zeroizing::new(p.into()), Argon2Cost::TEST_ONLY);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let mut store = Store::open(&path, &pass("old passphrase")).unwrap();
    let (a, _) = setup(&mut store);
    store.put_presentation(a, PRESENTATION).unwrap();
    store.rekey(&pass("new passphrase")).unwrap();
    assert_eq!(
        store.presentation(a).unwrap().as_deref(),
        Some(PRESENTATION)
    );
    drop(store);
    let store = Store::open(&path, &pass("new passphrase")).unwrap();
    assert_eq!(
        store.presentation(a).unwrap().as_deref(),
        Some(PRESENTATION)
    );
}

#[test]
fn a_schema_1_store_gains_the_table_and_keeps_its_records() {
    // A store written by the schema-1 build (see core/tests/store_migration.rs).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/store_schema1.db"),
        &path,
    )
    .unwrap();
    // Migrated by the first open (the store holds its file while open: the header is read
    // once it is closed).
    drop(Store::open(&path, &MemoryKeyStore::new([0x5a; 32])).unwrap());
    let version: u32 = Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    let mut store = Store::open(&path, &MemoryKeyStore::new([0x5a; 32])).unwrap();
    let first = store.household().unwrap().members[0].id;
    let a = store.records(first).unwrap().records[0].id;
    assert_eq!(store.record(a).unwrap().record.kind, DocumentKind::Notice);
    assert_eq!(store.presentation(a).unwrap(), None);
    store.put_presentation(a, PRESENTATION).unwrap();
    assert_eq!(
        store.presentation(a).unwrap().as_deref(),
        Some(PRESENTATION)
    );
}

mod qr {
    use super::*;
    use chrono::{DateTime, Utc};
    use sha2::{Digest, Sha256};
    use shikaku_core::document::{
        EligibilityDocument, IssuerKey, PresentedFormat, SigningKey, TrustList, Validity,
        check_presentation_holder, from_qr_payload, presentation_of, sign_document,
        sign_presentation, verify_presentation,
    };
    use shikaku_core::eligibility::{InsurerNumber, LimitCertification};

    const KID: &str = "issuer-test";
    const CARD_SPKI: &[u8] = b"stand-in SubjectPublicKeyInfo DER of the card";

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    fn key() -> SigningKey {
        SigningKey::from_slice(&[7; 32]).unwrap()
    }

    fn trust() -> TrustList {
        TrustList {
            version: 1,
            issued_at: t("2026-11-01T00:00:00Z"),
            keys: vec![IssuerKey {
                kid: KID.into(),
                public_key: key()
                    .verifying_key()
                    .to_encoded_point(false)
                    .as_bytes()
                    .to_vec(),
                not_before: t("2026-01-01T00:00:00Z"),
                not_after: t("2027-12-31T23:59:59Z"),
                insurers: vec![InsurerNumber::parse("01130012").unwrap()],
            }],
        }
    }

    fn document(number: &str) -> EligibilityDocument {
        let (person, records) = family().remove(0);
        let mut record = records[0].clone();
        record.number = number.into();
        record.limit = Some(LimitCertification {
            category: "区分ウ".into(),
            effective_from: None,
        });
        EligibilityDocument {
            household_id: "household-secret-77".into(),
            person_id: "person-secret-77".into(),
            version: 1,
            issued_at: t("2026-11-20T00:00:00Z"),
            valid_until: t("2027-02-18T00:00:00Z"),
            person,
            record,
            holder_binding: Some(Sha256::digest(CARD_SPKI).into()),
        }
    }

    fn contains(hay: &[u8], needle: &[u8]) -> bool {
        hay.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn the_qr_code_shows_the_presentation_and_falls_back_to_format_1() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.db"), &MemoryKeyStore::new(KEK)).unwrap();
        let doc = document("420815");
        let full = sign_document(&doc, &key(), KID).unwrap();
        let member = store.add_member(&doc.person).unwrap();
        let id = store
            .put_record(
                member,
                &doc.record,
                &Provenance::IssuerSigned {
                    key_id: KID.into(),
                    signed_bytes: full.clone(),
                },
            )
            .unwrap();
        let now = t("2026-11-23T03:00:00Z");
        let scan = |store: &Store| {
            let bytes = from_qr_payload(&store.qr_payload(id).unwrap().unwrap()).unwrap();
            let v = verify_presentation(&bytes, &trust(), now).unwrap();
            assert_eq!(v.validity, Validity::Valid);
            (bytes, v)
        };

        // Synced before presentations existed: the full document, which says format 1.
        let (bytes, v) = scan(&store);
        assert_eq!(bytes, full);
        assert_eq!(v.format_version(), 1);

        // With its presentation: format 2, none of what a clinic does not need.
        let p = presentation_of(&doc, [3; 16], Some(CARD_SPKI)).unwrap();
        store
            .put_presentation(id, &sign_presentation(&p, &key(), KID).unwrap())
            .unwrap();
        let (bytes, v) = scan(&store);
        assert_eq!(v.format, PresentedFormat::Presentation);
        for needle in [
            b"household-secret-77".as_slice(),
            b"person-secret-77",
            "区分ウ".as_bytes(),
            &doc.holder_binding.unwrap(),
        ] {
            assert!(!contains(&bytes, needle));
            assert!(contains(&full, needle), "the needle is real");
        }
        assert!(v.document.agrees_with(&doc));
        check_presentation_holder(&v, CARD_SPKI).unwrap();
        assert!(check_presentation_holder(&v, b"another card's key").is_err());
        let (_, by_member) = store.member_qr_payload(member).unwrap().unwrap();
        assert_eq!(by_member, store.qr_payload(id).unwrap().unwrap());

        // A presentation of another version of the record is never shown for this one.
        let stale = presentation_of(&document("999999"), [3; 16], Some(CARD_SPKI)).unwrap();
        store
            .put_presentation(id, &sign_presentation(&stale, &key(), KID).unwrap())
            .unwrap();
        assert_eq!(scan(&store).0, full);
    }
}

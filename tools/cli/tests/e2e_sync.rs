//! End to end on loopback: the reference issuer (HTTPS) + the example family's virtual cards →
//! `shikaku sync` → every document stored and verified → sync again (304, nothing rewritten) →
//! data file changed → new version stored → an older version served again → Rollback.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use shikaku_core::eligibility::Provenance;
use shikaku_core::store::{PassphraseKeyStore, Store};
use zeroize::Zeroizing;

const BIN: &str = env!("CARGO_BIN_EXE_shikaku");
/// A passphrase that meets the strength rule for a new store.
const TEST_PASSPHRASE: &str = "test household passphrase";

fn examples(f: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(f)
}

struct Env {
    tmp: tempfile::TempDir,
}

impl Env {
    /// A new environment: the reference issuer's files, the example households and the
    /// virtual cards' TEST CA, ready to `spawn`.
    fn new() -> Env {
        let env = Env {
            tmp: tempfile::tempdir().unwrap(),
        };
        shikaku_issuer::init(&env.p("issuer")).unwrap();
        std::fs::copy(examples("households.toml"), env.p("households.toml")).unwrap();
        std::fs::write(env.p("test-ca.pem"), shikaku_vcard::test_ca_pem().unwrap()).unwrap();
        env
    }

    /// A new environment whose store holds 山田 太郎's household, synced with his card (the
    /// issuer stopped again).
    fn synced_by_taro() -> Env {
        let env = Env::new();
        let issuer = env.spawn();
        let o = env.sync(&issuer.url(), "vcard-yamada-taro.toml", "1234");
        assert!(o.status.success(), "{}", text(&o));
        issuer.stop().unwrap();
        env
    }

    fn p(&self, f: &str) -> PathBuf {
        self.tmp.path().join(f)
    }

    /// A CLI command on this environment's store.
    fn cli(&self, args: &[&str]) -> Output {
        Command::new(BIN)
            .arg("--data-dir")
            .arg(self.p("data"))
            .args(args)
            .env("SHIKAKU_PASSPHRASE", TEST_PASSPHRASE)
            .output()
            .unwrap()
    }

    /// The id of the member called `name`, from `shikaku list`.
    fn member_id(&self, name: &str) -> String {
        let list = String::from_utf8_lossy(&self.cli(&["list"]).stdout).to_string();
        list.lines()
            .find(|l| l.contains(name))
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap()
            .to_string()
    }

    fn spawn(&self) -> shikaku_issuer::RunningIssuer {
        let mut c = shikaku_issuer::ServeConfig::new(
            self.p("issuer"),
            self.p("households.toml"),
            "127.0.0.1:0".parse().unwrap(),
        );
        c.trust_anchors = vec![self.p("test-ca.pem")];
        c.log_requests = false;
        shikaku_issuer::spawn(c).unwrap()
    }

    fn sync(&self, url: &str, card: &str, pin: &str) -> Output {
        Command::new(BIN)
            .arg("--data-dir")
            .arg(self.p("data"))
            .args(["sync", "--server", url, "--reader"])
            .arg(format!("vcard:{}", examples(card).display()))
            .arg("--ca")
            .arg(self.p("issuer/tls-ca.pem"))
            .arg("--root")
            .arg(self.p("issuer/root-public.pem"))
            .env("SHIKAKU_PASSPHRASE", TEST_PASSPHRASE)
            .env("SHIKAKU_PIN", pin)
            .output()
            .unwrap()
    }

    /// Every stored record's signed bytes, in member order.
    fn signed(&self) -> Vec<Vec<u8>> {
        let ks = PassphraseKeyStore::new(Zeroizing::new(TEST_PASSPHRASE.into()));
        let store = Store::open(&self.p("data/shikaku.db"), &ks).unwrap();
        let mut out = Vec::new();
        for m in store.household().unwrap().members {
            for r in store.records(m.id).unwrap().records {
                if let Provenance::IssuerSigned { signed_bytes, .. } = r.provenance {
                    out.push(signed_bytes);
                }
            }
        }
        out
    }
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn sync_304_new_version_and_rollback_through_the_reference_issuer() {
    let env = Env::new();
    let issuer = env.spawn();
    let url = issuer.url();

    // First sync with the 本人's card: the whole household arrives, verified.
    let o = env.sync(&url, "vcard-yamada-taro.toml", "1234");
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("stored: 3 new or updated, 0 unchanged"),
        "{}",
        text(&o)
    );
    let household = Command::new(BIN)
        .arg("--data-dir")
        .arg(env.p("data"))
        .arg("household")
        .env("SHIKAKU_PASSPHRASE", TEST_PASSPHRASE)
        .output()
        .unwrap();
    let h = String::from_utf8_lossy(&household.stdout);
    assert_eq!(h.matches("発行元の署名を確認済み").count(), 3, "{h}");
    let first = env.signed();
    assert_eq!(first.len(), 3);

    // No change: 304, nothing rewritten.
    let o = env.sync(&url, "vcard-yamada-taro.toml", "1234");
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("(304)"), "{}", text(&o));
    assert_eq!(env.signed(), first);

    // A wrong PIN: typed error, retries shown, nothing changed.
    let o = env.sync(&url, "vcard-yamada-taro.toml", "9999");
    assert!(!o.status.success());
    assert!(text(&o).contains("tries left: 2"), "{}", text(&o));
    assert_eq!(env.signed(), first);

    // The data file changes for one person: a new version of that document only.
    let before_edit = std::fs::read_to_string(env.p("households.toml")).unwrap();
    let state_before_edit = std::fs::read(env.p("issuer/state.json")).unwrap();
    std::fs::write(
        env.p("households.toml"),
        before_edit.replacen(
            "acquired_on = \"2015-04-01\"",
            "acquired_on = \"2016-04-01\"",
            1,
        ),
    )
    .unwrap();
    let o = env.sync(&url, "vcard-yamada-taro.toml", "1234");
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("stored: 1 new or updated, 2 unchanged"),
        "{}",
        text(&o)
    );
    let second = env.signed();
    assert_eq!(second.iter().filter(|s| !first.contains(s)).count(), 1);
    issuer.stop().unwrap();

    // The issuer is rolled back (old data file and old version state): the older document is
    // refused as a rollback and the store keeps the newer one.
    std::fs::write(env.p("households.toml"), &before_edit).unwrap();
    std::fs::write(env.p("issuer/state.json"), &state_before_edit).unwrap();
    let issuer = env.spawn();
    let o = env.sync(&issuer.url(), "vcard-yamada-taro.toml", "1234");
    assert!(!o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("rollback"), "{}", text(&o));
    assert_eq!(env.signed(), second);
    issuer.stop().unwrap();

    // Offline: the issuer is gone; sync fails cleanly and the data stays.
    let o = env.sync(&url, "vcard-yamada-taro.toml", "1234");
    assert!(!o.status.success());
    assert!(
        text(&o).contains("offline") || text(&o).contains("unreachable"),
        "{}",
        text(&o)
    );
    assert_eq!(env.signed(), second);
}

#[test]
fn a_dependent_sees_only_their_own_document() {
    let env = Env::new();
    let issuer = env.spawn();
    let o = env.sync(&issuer.url(), "vcard-yamada-hanako.toml", "1234");
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("stored: 1 new or updated"),
        "{}",
        text(&o)
    );
    issuer.stop().unwrap();
}

#[test]
fn qr_round_trip_and_one_changed_character_is_rejected() {
    let env = Env::synced_by_taro();
    let cli = |args: &[&str]| env.cli(args);
    let taro = env.member_id("山田 太郎");
    let png = env.p("qr.png");
    let o = cli(&["qr", "show", &taro, "--png", png.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let payload = String::from_utf8_lossy(&o.stdout)
        .lines()
        .next()
        .unwrap()
        .to_string();
    assert!(payload.starts_with("SK1:"), "{payload}");
    assert!(std::fs::metadata(&png).unwrap().len() > 1000);

    // Offline verification against the trust list stored by the sync.
    let o = cli(&["qr", "verify", &payload]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("山田 太郎") && text(&o).contains("01130012"),
        "{}",
        text(&o)
    );

    // …and against an explicit trust list and root, from a store that never synced.
    let o = Command::new(BIN)
        .arg("--data-dir")
        .arg(env.p("elsewhere"))
        .args(["qr", "verify", &payload, "--trust-list"])
        .arg(env.p("issuer/trust-list.cose"))
        .arg("--root")
        .arg(env.p("issuer/root-public.pem"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));

    // One character changed, at several places: never valid.
    let chars: Vec<char> = payload.chars().collect();
    for at in [4, chars.len() / 3, chars.len() / 2, chars.len() - 1] {
        let mut bad = chars.clone();
        bad[at] = if bad[at] == 'A' { 'B' } else { 'A' };
        let bad: String = bad.into_iter().collect();
        let o = cli(&["qr", "verify", &bad]);
        assert_eq!(o.status.code(), Some(1), "changed at {at}: {}", text(&o));
        let first = text(&o).lines().next().unwrap_or_default().to_string();
        assert!(
            ["署名不正", "形式不正", "発行元不明"]
                .iter()
                .any(|v| first == format!("書類の検証: {v}")),
            "changed at {at}: {}",
            text(&o)
        );
    }
    // A hand-entered record has no QR.
    let o = cli(&["qr", "show", "ffffffff"]);
    assert!(!o.status.success());
}

/// `card check --member` says what the member's screen says of the card (the core's badge): a
/// genuine card that is not the one the member's signed records are bound to is 照合不一致 and a
/// non-zero exit, even with no 基本4情報 compared; the member's own (virtual, TEST-anchored) card
/// is never カード照合済み.
#[test]
fn card_check_against_signed_records_bound_to_another_card_is_a_mismatch() {
    let env = Env::synced_by_taro();
    let check = |card: &str, member: &str| {
        Command::new(BIN)
            .arg("--data-dir")
            .arg(env.p("data"))
            .args(["card", "check", "--member", member, "--reader"])
            .arg(format!("vcard:{}", examples(card).display()))
            .env("SHIKAKU_PASSPHRASE", TEST_PASSPHRASE)
            .env("SHIKAKU_PIN", "1234")
            .output()
            .unwrap()
    };
    let taro = env.member_id("山田 太郎");

    // Hanako's card (genuine under the TEST anchor, right PIN) for Taro, whose signed records
    // are bound to Taro's card: the old CLI printed "card check: OK" and exited 0.
    let o = check("vcard-yamada-hanako.toml", &taro);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("member's card badge: 照合不一致"),
        "{}",
        text(&o)
    );
    assert!(!text(&o).contains("card check: OK"), "{}", text(&o));

    // Taro's own card: linked by the binding, but under a TEST anchor, so never カード照合済み.
    let o = check("vcard-yamada-taro.toml", &taro);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("member's card badge: テスト用証明書で照合"),
        "{}",
        text(&o)
    );
    assert!(!text(&o).contains("カード照合済み"), "{}", text(&o));
}

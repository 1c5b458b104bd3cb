//! `shikaku clinic trust update|import` and `shikaku clinic verify`: the desk's trust list and
//! the offline verification of a patient's QR code, with the card on the desk's reader
//! (docs/clinic.md). The verdicts, the card rules and what may be recorded are the core's
//! (`shikaku_core::clinic`); this file parses, prompts and prints.

use std::io::BufRead as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, Result, anyhow, bail};
use chrono::Utc;
use clap::{Args, Subcommand};
use shikaku_core::card::TrustStore;
use shikaku_core::clinic::{
    ClinicError, DEFAULT_TRUST_MAX_AGE_DAYS, DESK_FILE, DeskCardCheck, DeskOutcome, DeskPin,
    DeskStore, DeskVerification, PendingCardCheck, VerifyOptions, check_card_at_desk,
    check_first_trust_list, first_trust_root, validate_public_expenses,
};
use shikaku_core::clock::japan_today;
use shikaku_core::sync::fetch_trust_list;
use shikaku_core::sync::http::ServerUrl;

use crate::context::pin;
use crate::transport::http::UreqTransport;
use crate::transport::reader::open_reader;
use crate::util::{read_anchor, read_root};

/// `clinic trust …`.
#[derive(Subcommand)]
pub enum TrustCommand {
    /// Fetch the issuer's trust list (`GET /v1/trust-list`, no login, no card) and keep it.
    /// The first one pins --root; later ones must be signed by the pinned root and newer.
    Update {
        /// The issuer's base URL (https).
        #[arg(long)]
        server: String,
        /// The root public key (PEM or SEC1) — required the first time.
        #[arg(long, value_name = "PEM")]
        root: Option<PathBuf>,
        /// Trust only this CA for the server's TLS certificate (PEM).
        #[arg(long, value_name = "PEM")]
        ca: Option<PathBuf>,
        /// Development only: allow plain http to 127.0.0.1 / localhost.
        #[arg(long)]
        dev_insecure_http: bool,
    },
    /// Keep a signed trust list from a file (for a desk that never goes online), with the same
    /// checks as `update`.
    Import {
        /// The signed trust list (COSE), as the issuer serves it.
        file: PathBuf,
        /// The root public key (PEM or SEC1) — required the first time.
        #[arg(long, value_name = "PEM")]
        root: Option<PathBuf>,
    },
}

/// `clinic verify` options.
#[derive(Args)]
pub struct VerifyArgs {
    /// The QR payload (`SK1:…`), or `-` to read one line from standard input (a USB scanner
    /// typing into the terminal).
    payload: String,
    /// Check the patient's card on this reader: `pcsc`, `pcsc:NAME` or `vcard:PROFILE.toml`.
    /// Without --pin the card's certificate must match the document (no PIN try).
    #[arg(long, value_name = "READER")]
    card: Option<String>,
    /// With --card: the patient enters the PIN (SHIKAKU_PIN or a prompt) and the card signs a
    /// fresh challenge (本人確認済み（PIN）).
    #[arg(long, requires = "card")]
    pin: bool,
    /// With --pin: send the PIN even when only one try is left (the patient consented).
    #[arg(long, requires = "pin")]
    allow_last_attempt: bool,
    /// The receptionist compared the card's photo with the patient (recorded as 目視): with
    /// --card and no --pin, the card the document is bound to; for a document with no card
    /// binding, the card's 券面 (氏名, 生年月日, photo) compared with the document by eye.
    #[arg(long)]
    face_compared: bool,
    /// Extra trust anchor for the card's certificate (PEM or DER), e.g. a test CA.
    #[arg(long, value_name = "FILE")]
    trust_anchor: Vec<PathBuf>,
    /// Record the visit in the log (needs --operator). Only an authentic document is recorded.
    #[arg(long, requires = "operator")]
    record: bool,
    /// The desk operator recording the visit.
    #[arg(long)]
    operator: Option<String>,
    #[command(flatten)]
    public: super::PublicExpenseArgs,
    #[command(flatten)]
    trust_age: TrustAgeArg,
}

/// `--max-trust-age-days DAYS`, the same for `clinic verify` and `clinic serve`: when the
/// desk's trust list is called stale.
#[derive(Args, Debug, Clone, Copy)]
pub(super) struct TrustAgeArg {
    /// Days after its issue from which the trust list is called stale (the same for `clinic
    /// verify` and `clinic serve`).
    // The spelling `clinic serve` took before (`--trust-max-age-days`) stays a hidden alias of
    // both, so that no script breaks; the help shows one spelling.
    #[arg(
        long,
        value_name = "DAYS",
        default_value_t = DEFAULT_TRUST_MAX_AGE_DAYS,
        alias = "trust-max-age-days"
    )]
    max_trust_age_days: u32,
}

impl TrustAgeArg {
    /// The verification's options with this limit.
    pub(super) fn options(self) -> VerifyOptions {
        VerifyOptions {
            max_trust_age_days: self.max_trust_age_days,
        }
    }
}

/// Runs `clinic trust …` on the desk in `dir`. A desk that does not exist yet is created only
/// for a first list the core accepts (its root given, its signature verified): a refused one
/// leaves nothing behind.
pub fn trust(dir: &Path, cmd: TrustCommand) -> Result<ExitCode> {
    let now = Utc::now();
    let new_desk = !dir.join(DESK_FILE).is_file();
    let (bytes, root) = match cmd {
        TrustCommand::Update {
            server,
            root,
            ca,
            dev_insecure_http,
        } => {
            let server = ServerUrl::parse(&server, dev_insecure_http)?;
            let root = root.as_deref().map(read_root).transpose()?;
            if new_desk {
                first_trust_root(root.as_ref())?;
            }
            let ca = match &ca {
                Some(p) => {
                    Some(std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?)
                }
                None => None,
            };
            let http = UreqTransport::new(ca.as_deref())?;
            (fetch_trust_list(&http, &server, 15_000)?, root)
        }
        TrustCommand::Import { file, root } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            (bytes, root.as_deref().map(read_root).transpose()?)
        }
    };
    if new_desk {
        check_first_trust_list(&bytes, root.as_ref(), now)?;
    }
    let list = super::open(dir, true)?.import_trust_list(&bytes, root.as_ref(), now)?;
    outln!(
        "trust list v{} (issued {}, {} issuer keys) kept",
        list.version,
        list.issued_at.format("%Y-%m-%d"),
        list.keys.len()
    );
    Ok(ExitCode::SUCCESS)
}

fn read_payload(arg: &str) -> Result<String> {
    if arg != "-" {
        return Ok(arg.to_owned());
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the payload from standard input")?;
    Ok(line.trim().to_owned())
}

/// Where a verifier's trust list comes from (the core's), naming the command that updates it:
/// `qr verify` prints with `Household`.
pub(crate) use shikaku_core::clinic::TrustSource;

/// Prints a verification (the document's verdict, its issue date and age, the trust list and
/// the claim fields as signed): `clinic verify` and `qr verify` print the same.
pub(crate) fn print_verification(v: &DeskVerification, source: TrustSource) -> Result<()> {
    outln!("書類の検証: {}", v.verdict.label_ja());
    if let Some(kind) = v.document_kind() {
        outln!("書類の種類: {}", kind.label_ja());
    }
    if let (Some(info), Some(age)) = (v.document_info(), v.document_age_days()) {
        let form = if info.format == 1 {
            "形式1（全項目の書類。形式1のQRも検証できます）"
        } else {
            "形式2（提示用）"
        };
        outln!(
            "書類: 発行 {}（{} 日前）・{}・発行元の鍵 {}",
            info.issued_on,
            age,
            form,
            info.key_id
        );
    }
    // The list and its staleness in the core's words (as the desk page shows them).
    match &v.trust {
        Some(t) => match t.stale_ja(source) {
            Some(stale) => outln!("信頼リスト: {}  ※{stale}", t.summary_ja()),
            None => outln!("信頼リスト: {}", t.summary_ja()),
        },
        // No usable list: none at all, or the PC's clock before the list's issue (the core's
        // words for each).
        None if v.trust_clock_behind.is_some() => {
            outln!("信頼リスト: 使えません（{}）", v.trust_missing_ja(source))
        }
        None => outln!("信頼リスト: なし（{}）", v.trust_missing_ja(source)),
    }
    if let Some(reason) = &v.reason {
        outln!("理由: {reason}");
    }
    let Some(c) = v.claim() else {
        outln!("（署名が確認できないため、内容は表示しません）");
        return Ok(());
    };
    let opt = |s: &Option<String>| s.clone().unwrap_or_else(|| "—".into());
    outln!("保険者番号: {}", c.insurer_number.as_str());
    outln!("記号: {}", opt(&c.symbol));
    outln!("番号: {}", c.number);
    outln!("枝番: {}", opt(&c.branch));
    outln!("氏名: {}", c.name);
    outln!("カナ: {}", c.kana);
    outln!("生年月日: {}", c.birth_date);
    outln!("性別: {}", c.sex.label_ja());
    outln!("本人・家族: {}", c.relationship.label_ja());
    outln!("負担割合: {}", v.copay_ja().unwrap_or_default());
    // The core's wording of the 有効期間 and of the 高齢受給者 line (as the desk page shows them).
    outln!("有効期間: {}", v.validity_ja().unwrap_or_default());
    outln!("高齢受給者: {}", v.elderly_ja().unwrap_or_default());
    if let Some(note) = v.elderly_note_ja() {
        outln!("  ※注意: {note}");
    }
    Ok(())
}

/// The anchors a card check at the desk trusts (`clinic verify --card`, `clinic serve
/// --card`): J-LIS's, the `extra` files (`--trust-anchor`) and, for the virtual card, the
/// virtual cards' TEST CA.
pub(super) fn card_trust(extra: &[PathBuf], virtual_card: bool) -> Result<TrustStore> {
    let mut trust = TrustStore::jlis_auth()?;
    for p in extra {
        trust.add_extra_anchor(&read_anchor(p)?)?;
    }
    if virtual_card {
        trust.add_extra_anchor(&shikaku_vcard::test_ca_der().map_err(|e| anyhow!("{e}"))?)?;
    }
    Ok(trust)
}

/// The card check of `clinic verify --card`, applied to what is held for recording (the core's
/// `PendingCardCheck`): a match is held; another person's card is remembered as a refusal;
/// any other failure is an error of the command.
fn card_check(a: &VerifyArgs, v: &DeskVerification) -> Result<PendingCardCheck> {
    let mut held = PendingCardCheck::new();
    let Some(spec) = &a.card else {
        return Ok(held);
    };
    if !v.holder_bound() {
        outln!("カード: 照合できません（この書類にはカードとの結び付けがありません）");
        return Ok(held);
    }
    // The prompt gives text; the core takes its bytes and checks them (format first, the
    // reader is not even opened for a bad PIN). The text is wiped at the end of the statement
    // that parses it: only the core's checked copy lives on.
    let desk_pin = if a.pin {
        Some(DeskPin::from_bytes(
            pin()?.as_bytes(),
            a.allow_last_attempt,
        )?)
    } else {
        None
    };
    let reader = open_reader(spec)?;
    let trust = card_trust(&a.trust_anchor, reader.virtual_card)?;
    if reader.virtual_card {
        outln!("trusting the virtual cards' TEST CA for this check");
    }
    let result = check_card_at_desk(reader.transport.as_ref(), v, desk_pin, &trust, Utc::now());
    match held.apply(result) {
        Ok(check) => {
            outln!("カード: {}", check.label_ja());
            // Asked for only when the core needs the statement (`needs_face_statement`): a
            // 資格確認書 stands without its card.
            if a.face_compared {
                if !check.pin_verified() {
                    outln!("目視: カードの顔写真と本人を確認済み");
                }
            } else if v.outcome_with(&held, false).needs_face_statement() {
                outln!("目視: 未確認（カードの顔写真と本人を見比べてください）");
            }
        }
        Err(ClinicError::CardMismatch) => {
            outln!("カード: {}", DeskCardCheck::MISMATCH_LABEL_JA);
        }
        Err(e) => return Err(e.into()),
    }
    Ok(held)
}

/// Prints the core's overall outcome: the word, what stands behind it, and what to do — the
/// core's sentences only, as the desk page shows them (no words of the CLI's own for the tone).
pub(crate) fn print_outcome(o: &DeskOutcome) -> Result<()> {
    outln!("判定: {}", o.label_ja());
    outln!("  {}", o.basis_ja());
    if let Some(action) = o.action_ja() {
        outln!("  → {action}");
    }
    if o.verdict.is_authentic() {
        outln!("確認方法: {}", o.confirmation_ja());
    }
    Ok(())
}

/// Runs `clinic verify` on the desk store `desk`. The last line printed is the core's overall
/// outcome (the document, its kind and the card together). Exit 0 only when it is 確認済み.
pub fn verify(desk: &mut DeskStore, a: VerifyArgs) -> Result<ExitCode> {
    // The 公費 typed are checked before anything is read from the card (and before a PIN).
    if !a.public.entries.is_empty() {
        if !a.record {
            bail!("--public is recorded with the visit: add --record and --operator");
        }
        if let Err(e) = validate_public_expenses(&a.public.entries, japan_today(Utc::now())) {
            let e = ClinicError::from(e);
            bail!(
                "{}\n(nothing checked or recorded: {e})",
                e.public_expense_refusal_ja().unwrap_or_default()
            );
        }
    }
    let payload = read_payload(&a.payload)?;
    let v = desk.verify_payload(&payload, a.trust_age.options(), Utc::now())?;
    print_verification(&v, TrustSource::Desk)?;
    let card = if v.presentation.is_some() {
        card_check(&a, &v)?
    } else {
        if a.card.is_some() {
            outln!("カード: 照合しません（書類が確認できないため）");
        }
        PendingCardCheck::new()
    };
    let outcome = v.outcome_with(&card, a.face_compared);
    print_outcome(&outcome)?;
    if a.record {
        let operator = a.operator.as_deref().unwrap_or_default();
        let now = Utc::now();
        // The patient's visit already recorded today, looked up before this one is: a notice,
        // not a refusal. (A damaged entry there is the log's problem, said by the append.)
        let same_day = desk.same_day_visit_of(&v, now).ok().flatten();
        match desk.record_verification_with(
            &v,
            &card,
            a.face_compared,
            &a.public.entries,
            operator,
            now,
        ) {
            Ok(n) => {
                outln!("記録: 第{n}件");
                if let Some(earlier) = same_day {
                    outln!("お知らせ: {}", earlier.notice_ja());
                }
            }
            // The acceptance rule's refusals and an unacceptable operator name in the core's
            // words (as the desk page shows them), the English reason after them for scripts.
            Err(e) => match (
                e.operator_refusal_ja()
                    .or_else(|| e.clock_refusal_ja())
                    .or_else(|| e.log_refusal_ja().map(str::to_string)),
                e.record_refusal_ja(),
            ) {
                (Some(ja), _) => bail!("{ja}\n(not recorded: {e})"),
                (None, Some(ja)) => bail!("{ja}\n(not recorded: {e})"),
                (None, None) => {
                    bail!("not recorded: {e} (record a 申立 with `clinic declare` instead)")
                }
            },
        }
    }
    Ok(if outcome.is_accepted() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

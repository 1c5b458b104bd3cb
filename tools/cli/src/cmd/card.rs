//! `shikaku card status|check`: My Number Card checks from the desktop (a PC/SC reader or the
//! in-process virtual card).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Result, anyhow};
use chrono::Utc;
use clap::Subcommand;
use shikaku_core::card::{
    BasicInfoOutcome, CardAudience, CardCheck, CardError, CheckOptions, FieldComparison,
    MemberMatch, Pin, PinCounter, TextApFailure, card_status, check_card,
};
use shikaku_core::screen::calendar::certificate_expiry_date;
use shikaku_core::screen::{CardState, member_screen};
use shikaku_core::store::StoredCardCheck;

use crate::context::{Context, pin, resolve_member};
use crate::transport::reader::open_reader;
use crate::util::read_anchor;

/// The `card` subcommands.
#[derive(Subcommand)]
pub enum CardCommand {
    /// Retry counters and the 利用者証明用 certificate; no PIN is used.
    Status {
        /// `pcsc` (first reader with a card), `pcsc:NAME`, or `vcard:PROFILE.toml`.
        #[arg(long)]
        reader: String,
    },
    /// Check the card: certificate chain to J-LIS, PIN, a fresh challenge signed by the card.
    /// PIN from SHIKAKU_PIN or a no-echo prompt.
    ///
    /// Each PIN's last try needs its own consent flag. Exit status: 0 when the card checks out
    /// (and, with --with-basic-info, its 基本4情報 was read and matches the member); 1 when the
    /// check failed (nothing stored) or the 基本4情報 do not match; 3 when the card checks out
    /// and the result is stored but the 基本4情報 could not be read (wrong or blocked
    /// 券面事項入力補助 PIN, its last try without --allow-last-text-attempt, a card error).
    Check {
        /// `pcsc`, `pcsc:NAME`, or `vcard:PROFILE.toml`.
        #[arg(long)]
        reader: String,
        /// Store the result for this member (id or prefix).
        #[arg(long)]
        member: Option<String>,
        /// Also read the 基本4情報 with the same PIN and compare it with the member.
        #[arg(long, requires = "member")]
        with_basic_info: bool,
        /// Extra trust anchor (PEM or DER), e.g. a test CA. Repeatable.
        #[arg(long, value_name = "PEM")]
        trust_anchor: Vec<PathBuf>,
        /// Send the 利用者証明用 PIN even when it has one try left (a wrong PIN then blocks it).
        #[arg(long)]
        allow_last_auth_attempt: bool,
        /// Send the 券面事項入力補助 PIN even when it has one try left (a wrong PIN then blocks
        /// it). Consent for one PIN never spends the other's last try.
        #[arg(long, requires = "with_basic_info")]
        allow_last_text_attempt: bool,
    },
}

/// The count a PIN counter reports, a fact without a rule (`card check`'s counter before a
/// VERIFY that then passed).
fn tries(c: PinCounter) -> String {
    match c {
        PinCounter::Remaining(1) => "1 try left".into(),
        PinCounter::Remaining(n) => format!("{n} tries left"),
        PinCounter::AlreadyVerified => "not reported (already verified)".into(),
        PinCounter::Blocked => "BLOCKED".into(),
    }
}

/// A PIN counter read without a PIN (`card status`): the count, and where a PIN rule applies
/// (the last try, a block, a counter not reported) what it means in the core's words for the
/// card holder (`PinCounter::message_ja`), not the CLI's.
fn counter(c: PinCounter) -> String {
    match c {
        PinCounter::Remaining(n) if n > 1 => tries(c),
        _ => format!("{} — {}", tries(c), c.message_ja(CardAudience::Holder)),
    }
}

/// Runs `card …`.
pub fn run(ctx: &Context, cmd: CardCommand) -> Result<ExitCode> {
    match cmd {
        CardCommand::Status { reader } => {
            let r = open_reader(&reader)?;
            let s = card_status(r.transport.as_ref())?;
            outln!("reader: {}", r.label);
            outln!("card: {}", s.card_kind.label_ja());
            outln!("利用者証明用 PIN: {}", counter(s.auth_pin));
            if let Some(t) = s.text_pin {
                outln!("券面事項入力補助 PIN: {}", counter(t));
            }
            outln!("certificate subject: {}", s.certificate.subject);
            outln!("certificate issuer:  {}", s.certificate.issuer);
            outln!(
                "certificate valid:   {} → {}",
                s.certificate.not_before.format("%Y-%m-%d"),
                s.certificate.not_after.format("%Y-%m-%d")
            );
            Ok(ExitCode::SUCCESS)
        }
        CardCommand::Check {
            reader,
            member,
            with_basic_info,
            trust_anchor,
            allow_last_auth_attempt,
            allow_last_text_attempt,
        } => {
            // Open the store first: a wrong passphrase must not cost a card interaction.
            let target = match &member {
                Some(m) => {
                    let store = ctx.open()?;
                    let found = resolve_member(&store, m)?;
                    Some((store, found))
                }
                None => None,
            };
            let mut anchors = trust_anchor
                .iter()
                .map(|p| read_anchor(p))
                .collect::<Result<Vec<_>>>()?;
            let r = open_reader(&reader)?;
            if r.virtual_card {
                anchors.push(shikaku_vcard::test_ca_der().map_err(|e| anyhow!("{e}"))?);
            }
            // Checked as soon as it is read (bytes, no further text copy): the typed text is
            // wiped at the end of this statement, and a bad format never reaches the card.
            let pin = Pin::from_bytes(pin()?.as_bytes()).map_err(card_failure)?;
            outln!("reader: {}", r.label);
            if r.virtual_card {
                outln!("trusting the virtual cards' TEST CA for this check");
            }
            let options = CheckOptions {
                allow_last_auth_attempt,
                allow_last_text_attempt,
                read_basic_info: with_basic_info,
                extra_anchors: anchors,
                trust_store: None,
            };
            let check = match check_card(r.transport.as_ref(), &pin, options, Utc::now()) {
                Ok(c) => c,
                Err(e) => return Err(card_failure(e)),
            };
            print_check(&check)?;
            let basic_info_failed = check.basic_info.failure().is_some();
            let in_grace_until = if check.certificate_expired_at_check() {
                check.insurance_grace_last_day()
            } else {
                None
            };
            if let Some((mut store, m)) = target {
                let stored = StoredCardCheck::for_member(&m, check);
                if let Some(mm) = &stored.matched {
                    print_match(mm)?;
                }
                // The good check is stored even when the 基本4情報 step failed beside it.
                store.put_card_check(&stored)?;
                outln!("result stored for member {}", m.id);
                // What the member's screen now says of the card is the core's badge (it also
                // weighs the card the member's signed records are bound to, and a test anchor),
                // not a comparison made here.
                let badge = member_screen(&store, m.id, Utc::now())?.card;
                outln!("member's card badge: {}", badge.label);
                if badge.state == CardState::Mismatch {
                    outln!(
                        "card check: the card is genuine but it does not match this member \
                         (its 基本4情報, or the card the member's signed records are bound to)"
                    );
                    return Ok(ExitCode::FAILURE);
                }
            }
            if basic_info_failed {
                outln!("card check: OK, but the 基本4情報 were not read (the check itself stands)");
                return Ok(ExitCode::from(EXIT_BASIC_INFO_NOT_READ));
            }
            match in_grace_until {
                Some(last) => outln!(
                    "card check: OK — the certificate has expired; the card works as a マイナ保険証 \
                     until {last} (grace period): renew the certificate at the municipal office"
                ),
                None => outln!("card check: OK"),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The exit status of a good check whose 基本4情報 step failed (documented in the help).
const EXIT_BASIC_INFO_NOT_READ: u8 = 3;

/// What to do next after a failure of the 基本4情報 step.
fn text_failure_hint(failure: &TextApFailure) -> &'static str {
    match failure {
        TextApFailure::WrongPin { .. } => {
            " — the card refused the PIN for its 券面事項入力補助AP; check it before trying again"
        }
        TextApFailure::NeedsConsent | TextApFailure::TriesLost { .. } => {
            " — pass --allow-last-text-attempt only if you are sure of that PIN"
        }
        TextApFailure::CardError {
            verify_in_flight: true,
            ..
        } => " — the card may have counted that PIN try; run `shikaku card status` before retrying",
        TextApFailure::PinBlocked | TextApFailure::CardError { .. } => "",
    }
}

/// Adds what to do next to a card error.
fn card_failure(e: CardError) -> anyhow::Error {
    let hint = match &e {
        CardError::WrongPin { .. } => " — check the PIN before trying again",
        CardError::LastAttemptNeedsConsent { .. } => {
            " — pass --allow-last-auth-attempt only if you are sure of the PIN"
        }
        CardError::CertificateExpired { .. } => {
            " — more than the grace period (to the end of the 3rd month after the expiry) has \
             passed, so the card no longer works as a マイナ保険証: renew the certificate at the \
             municipal office"
        }
        e if e.verify_in_flight() => {
            " — the card may have counted that PIN try; run `shikaku card status` before retrying"
        }
        _ => "",
    };
    anyhow!("card check failed: {e}{hint}")
}

fn print_check(c: &CardCheck) -> Result<()> {
    outln!("card: {}", c.card_kind.label_ja());
    outln!("key fingerprint: {}", c.key_fingerprint.to_hex());
    let last_day = certificate_expiry_date(c.certificate_not_after);
    outln!(
        "利用者証明用電子証明書: valid {} → {last_day} (the last day, in Japan)",
        c.certificate_not_before.format("%Y-%m-%d"),
    );
    if c.certificate_expired_at_check() {
        outln!(
            "certificate state: EXPIRED at the check, inside the grace period (usable as a \
             マイナ保険証 until {})",
            c.insurance_grace_last_day()
                .map_or_else(|| "its end".to_owned(), |d| d.to_string())
        );
        outln!(
            "chain: verified to {} as of the certificate's end ({})",
            c.chain.anchor_label,
            c.certificate_not_after.format("%Y-%m-%d %H:%M:%S UTC")
        );
    } else {
        outln!("chain: verified to {}", c.chain.anchor_label);
    }
    outln!("signature: a fresh challenge signed by the card verified");
    outln!("PIN before this check: {}", tries(c.retries_left));
    match &c.basic_info {
        BasicInfoOutcome::NotRequested => {}
        BasicInfoOutcome::Read(_) => outln!("基本4情報: read"),
        BasicInfoOutcome::Failed(failure) => {
            outln!(
                "基本4情報: NOT READ — {failure}{}",
                text_failure_hint(failure)
            );
            // What it means for the holder, in the core's words (as the apps show it).
            outln!("  {}", failure.message_ja(CardAudience::Holder));
        }
    }
    outln!(
        "checked at: {}",
        c.checked_at.format("%Y-%m-%d %H:%M:%S UTC")
    );
    Ok(())
}

fn print_field(label: &str, f: &FieldComparison) -> Result<()> {
    outln!(
        "  {label}: {}  (card: {} / stored: {})",
        f.outcome.label_ja(),
        f.card,
        f.stored
    );
    Ok(())
}

fn print_match(m: &MemberMatch) -> Result<()> {
    outln!(
        "基本4情報 compared with the member: {}",
        m.overall().label_ja()
    );
    print_field("氏名", &m.name)?;
    print_field("生年月日", &m.birth_date)?;
    print_field("性別", &m.sex)?;
    Ok(())
}

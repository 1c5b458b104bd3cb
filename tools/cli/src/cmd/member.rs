//! `shikaku member add|change|remove`.

use std::process::ExitCode;

use anyhow::Result;
use chrono::Utc;
use clap::Subcommand;
use shikaku_core::clock::japan_today;
use shikaku_core::eligibility::{MemberForm, Relationship, Sex};

use crate::context::{Context, resolve_member};

/// The `member` subcommands.
#[derive(Subcommand)]
pub enum MemberCommand {
    /// Add a member; prints the new member id.
    Add {
        /// 氏名 in kanji, family and given name separated by a space.
        #[arg(long)]
        name: String,
        /// 氏名カナ (katakana).
        #[arg(long)]
        kana: String,
        /// 生年月日, YYYY-MM-DD or 和暦 (令和7年4月1日, R7.4.1, S60.4.12).
        #[arg(long)]
        birth: String,
        /// 性別: male, female or other.
        #[arg(long)]
        sex: Sex,
        /// self (本人) or dependent (家族).
        #[arg(long)]
        relationship: Relationship,
        /// Holds a My Number Card registered for 保険証利用 (マイナ保険証): yes or no. Leave it
        /// out when not known (then the record kinds tell).
        #[arg(long, value_parser = parse_yes_no)]
        myna_hoken: Option<bool>,
        /// The My Number Card's printed 有効期限 (YYYY-MM-DD or 和暦).
        #[arg(long)]
        card_expires: Option<String>,
    },
    /// Change a member's data; what is not given stays as it is. Their records are kept: a
    /// 家族 who now has a job of their own (or a 本人 who became a 被扶養者) is changed here
    /// before their new 資格確認書 is entered.
    Change {
        /// Member id (or a unique prefix).
        member: String,
        /// 氏名 in kanji, family and given name separated by a space.
        #[arg(long)]
        name: Option<String>,
        /// 氏名カナ (katakana).
        #[arg(long)]
        kana: Option<String>,
        /// 生年月日, YYYY-MM-DD or 和暦.
        #[arg(long)]
        birth: Option<String>,
        /// 性別: male, female or other.
        #[arg(long)]
        sex: Option<Sex>,
        /// self (本人) or dependent (家族).
        #[arg(long)]
        relationship: Option<Relationship>,
        /// Holds a マイナ保険証: yes, no, or unknown (then the record kinds tell).
        #[arg(long, value_parser = parse_yes_no_unknown)]
        myna_hoken: Option<Said>,
        /// The My Number Card's printed 有効期限 (YYYY-MM-DD or 和暦), or `none` to clear it.
        #[arg(long)]
        card_expires: Option<String>,
    },
    /// Remove a member and all of their records.
    Remove {
        /// Member id (or a unique prefix).
        member: String,
    },
}

/// Runs `member …`.
pub fn run(ctx: &Context, cmd: MemberCommand) -> Result<ExitCode> {
    match cmd {
        MemberCommand::Add {
            name,
            kana,
            birth,
            sex,
            relationship,
            myna_hoken,
            card_expires,
        } => {
            let data = MemberForm {
                name,
                kana,
                birth_date: birth,
                sex,
                relationship,
                myna_hoken,
                card_expires_on: card_expires,
            }
            .validate(japan_today(Utc::now()))?;
            let mut store = ctx.open_or_create()?;
            outln!("{}", store.add_member(&data)?);
        }
        MemberCommand::Change {
            member,
            name,
            kana,
            birth,
            sex,
            relationship,
            myna_hoken,
            card_expires,
        } => {
            let mut store = ctx.open()?;
            let m = resolve_member(&store, &member)?;
            let old = MemberForm::from(&m.data);
            let form = MemberForm {
                name: name.unwrap_or(old.name),
                kana: kana.unwrap_or(old.kana),
                birth_date: birth.unwrap_or(old.birth_date),
                sex: sex.unwrap_or(old.sex),
                relationship: relationship.unwrap_or(old.relationship),
                myna_hoken: myna_hoken.map_or(old.myna_hoken, |Said(said)| said),
                card_expires_on: match card_expires {
                    Some(d) if d == "none" => None,
                    Some(d) => Some(d),
                    None => old.card_expires_on,
                },
            };
            store.change_member(m.id, &form, Utc::now())?;
            outln!("changed {}", m.id);
        }
        MemberCommand::Remove { member } => {
            let mut store = ctx.open()?;
            let m = resolve_member(&store, &member)?;
            store.remove_member(m.id)?;
            outln!("removed {}", m.id);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `yes` / `no` (also はい / いいえ) for a flag that may be left out.
fn parse_yes_no(s: &str) -> Result<bool, String> {
    match s {
        "yes" | "はい" => Ok(true),
        "no" | "いいえ" => Ok(false),
        _ => Err("must be yes or no".into()),
    }
}

/// What `member change --myna-hoken` says: yes, no, or not known (`None`).
#[derive(Clone, Copy)]
pub struct Said(Option<bool>);

/// `yes` / `no` / `unknown` (also はい / いいえ / 不明) for `member change --myna-hoken`.
fn parse_yes_no_unknown(s: &str) -> Result<Said, String> {
    match s {
        "unknown" | "不明" => Ok(Said(None)),
        _ => parse_yes_no(s)
            .map(|b| Said(Some(b)))
            .map_err(|_| "must be yes, no or unknown".into()),
    }
}

//! `shikaku member add|remove`.

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

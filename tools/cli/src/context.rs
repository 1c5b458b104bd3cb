//! The commands: each opens the store as it needs, does one thing, and prints the result.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, Result, anyhow, bail};
use chrono::Utc;
use clap::Subcommand;
use shikaku_core::eligibility::{
    InsurerNumber, Member, MemberForm, MemberId, RecordForm, Relationship, Sex,
};
use shikaku_core::store::{PassphraseKeyStore, Store};

use crate::render;
use crate::secret::{self, NEW_PASSPHRASE_ENV, PASSPHRASE_ENV};

/// The largest hand-entry file read (a record is well under 2 KiB).
const MAX_RECORD_FILE: u64 = 64 * 1024;

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
        /// 生年月日, YYYY-MM-DD.
        #[arg(long)]
        birth: String,
        /// 性別: male, female or other.
        #[arg(long)]
        sex: Sex,
        /// self (本人) or dependent (家族).
        #[arg(long)]
        relationship: Relationship,
    },
    /// Remove a member and all of their records.
    Remove {
        /// Member id (or a unique prefix).
        member: String,
    },
}

#[derive(Subcommand)]
pub enum RecordCommand {
    /// Enter a record from a JSON file (docs/record-json.md); prints the new record id. It is
    /// always shown as 手入力・未検証.
    Add {
        /// Member id (or a unique prefix).
        #[arg(long)]
        member: String,
        /// The record as JSON.
        #[arg(long, value_name = "FILE.json")]
        file: PathBuf,
    },
}

#[derive(Subcommand)]
pub enum ValidateCommand {
    /// Check a 保険者番号: prints `valid` or `invalid: <reason>`; exit 0 / 1.
    InsurerNumber {
        /// The number (6 or 8 digits).
        number: String,
    },
}

#[derive(Subcommand)]
pub enum PassphraseCommand {
    /// Change the passphrase: old from SHIKAKU_PASSPHRASE or a prompt, new from
    /// SHIKAKU_NEW_PASSPHRASE or a prompt (asked twice).
    Change,
}

/// Where the store lives.
pub struct Context {
    dir: PathBuf,
    /// True when the user named the directory with `--data-dir`.
    explicit: bool,
}

impl Context {
    pub fn new(data_dir: Option<PathBuf>) -> Result<Context> {
        let explicit = data_dir.is_some();
        let dir = match data_dir {
            Some(d) => d,
            None => dirs::data_dir()
                .ok_or_else(|| anyhow!("no data directory on this system; pass --data-dir"))?
                .join("shikaku"),
        };
        Ok(Context { dir, explicit })
    }

    fn db(&self) -> PathBuf {
        self.dir.join("shikaku.db")
    }

    fn exists(&self) -> bool {
        self.db().is_file()
    }

    /// Opens an existing store; never creates one.
    pub fn open(&self) -> Result<Store> {
        if !self.exists() {
            bail!(
                "no household in {} yet (add a member with `shikaku member add`)",
                self.dir.display()
            );
        }
        let ks = PassphraseKeyStore::new(secret::passphrase()?);
        Ok(Store::open(&self.db(), &ks)?)
    }

    /// Opens the store, creating it (and asking for a new passphrase) on first use.
    pub fn open_or_create(&self) -> Result<Store> {
        if self.exists() {
            return self.open();
        }
        let pass = secret::new_passphrase(PASSPHRASE_ENV, "New passphrase for this household")?;
        create_private_dir(&self.dir)?;
        Ok(Store::open(&self.db(), &PassphraseKeyStore::new(pass))?)
    }
}

fn create_private_dir(dir: &Path) -> Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir)
        .with_context(|| format!("cannot create {}", dir.display()))
}

fn today() -> chrono::NaiveDate {
    // The core's one "today": the calendar day in Japan, whatever this machine's zone.
    shikaku_core::clock::japan_today(Utc::now())
}

/// Finds a member by full id or unique prefix.
pub fn resolve(store: &Store, key: &str) -> Result<Member> {
    let key = key.trim().to_ascii_lowercase();
    if let Ok(id) = key.parse::<MemberId>() {
        return Ok(store.member(id)?);
    }
    if key.len() < 4 {
        bail!("give at least 4 characters of the member id (see `shikaku list`)");
    }
    let hh = store.household()?;
    let mut hits = hh
        .members
        .into_iter()
        .filter(|m| m.id.to_string().starts_with(&key));
    match (hits.next(), hits.next()) {
        (Some(m), None) => Ok(m),
        (None, _) => bail!("no member with id {key} (see `shikaku list`)"),
        (Some(_), Some(_)) => bail!("{key} matches several members; give more of the id"),
    }
}

pub fn run(ctx: &Context, command: crate::Command) -> Result<ExitCode> {
    use crate::Command as C;
    match command {
        C::Member(MemberCommand::Add {
            name,
            kana,
            birth,
            sex,
            relationship,
        }) => {
            let data = MemberForm {
                name,
                kana,
                birth_date: birth,
                sex,
                relationship,
            }
            .validate(today())?;
            let mut store = ctx.open_or_create()?;
            outln!("{}", store.add_member(&data)?);
        }
        C::Member(MemberCommand::Remove { member }) => {
            let mut store = ctx.open()?;
            let m = resolve(&store, &member)?;
            store.remove_member(m.id)?;
            outln!("removed {}", m.id);
        }
        C::Record(RecordCommand::Add { member, file }) => {
            let form = read_record_file(&file)?;
            let mut store = ctx.open()?;
            let m = resolve(&store, &member)?;
            outln!("{}", store.enter_record(m.id, &form, Utc::now())?);
        }
        C::List => out!("{}", list(&ctx.open()?)?),
        C::Show {
            member,
            format,
            out: file,
        } => {
            let store = ctx.open()?;
            let m = resolve(&store, &member)?;
            let screen = shikaku_core::screen::member_screen(&store, m.id, Utc::now())?;
            let text = match format.as_str() {
                "html" => crate::view_render::screen_html(&screen),
                "json" => serde_json::to_string_pretty(&screen)? + "\n",
                _ => crate::view_render::screen_text(&screen),
            };
            match file {
                Some(path) => {
                    use std::io::Write as _;
                    create_private(&path)?
                        .write_all(text.as_bytes())
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    outln!("wrote {}", path.display());
                }
                None => out!("{text}"),
            }
        }
        C::Household { format } => {
            let store = ctx.open()?;
            let overview = shikaku_core::screen::household_overview(&store, Utc::now())?;
            match format.as_str() {
                "json" => outln!("{}", serde_json::to_string_pretty(&overview)?),
                _ => out!("{}", crate::view_render::household_text(&overview)),
            }
        }
        C::Guidance { member, clinic } => {
            let store = ctx.open()?;
            let m = resolve(&store, &member)?;
            let situation = clinic_situation(&clinic);
            let g = shikaku_core::screen::member_guidance(&store, m.id, &situation, Utc::now())?;
            out!("{}", crate::view_render::guidance_text(&g));
        }
        C::Validate(ValidateCommand::InsurerNumber { number }) => {
            return Ok(match InsurerNumber::parse(&number) {
                Ok(_) => {
                    outln!("valid");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    outln!("invalid: {e}");
                    ExitCode::FAILURE
                }
            });
        }
        C::Passphrase(PassphraseCommand::Change) => {
            let mut store = ctx.open()?;
            let new = secret::new_passphrase(NEW_PASSPHRASE_ENV, "New passphrase")?;
            store.rewrap(&PassphraseKeyStore::new(new))?;
            outln!("passphrase changed");
        }
        C::Wipe { yes } => {
            if !yes {
                bail!("this deletes every member and record; run again with --yes");
            }
            Store::destroy(&ctx.db())?;
            outln!("wiped {}", ctx.dir.display());
        }
        C::Demo => crate::demo::run(ctx.explicit.then_some(ctx.dir.as_path()))?,
        C::Card(cmd) => return crate::card::run_card(ctx, cmd),
        C::Vcard(cmd) => return crate::card::run_vcard(cmd),
        C::Inspect(cmd) => return crate::card::run_inspect(cmd),
        C::Sync(args) => return crate::sync_cmd::run_sync(ctx, args),
        C::Issuer(cmd) => return crate::issuer_cmd::run_issuer(cmd),
        C::Qr(cmd) => return crate::sync_cmd::run_qr(ctx, cmd),
    }
    Ok(ExitCode::SUCCESS)
}

/// Creates `path` for an export of personal data: a new file (an existing one, or a link, is
/// refused), readable by the owner only, with a warning that it is an unencrypted copy.
pub fn create_private(path: &Path) -> Result<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    let f = o
        .open(path)
        .with_context(|| format!("cannot create {} (it must not exist yet)", path.display()))?;
    eprintln!(
        "note: {} is an unencrypted copy of personal data; delete it when done",
        path.display()
    );
    Ok(f)
}

/// The clinic situations the CLI names.
pub fn clinic_situation(name: &str) -> shikaku_core::screen::ClinicSituation {
    let mut s = shikaku_core::screen::ClinicSituation {
        reader_present: true,
        reader_working: true,
        power: true,
        network: true,
    };
    match name {
        "reader-down" => s.reader_working = false,
        "no-reader" => s.reader_present = false,
        "power-out" => s.power = false,
        "network-down" => s.network = false,
        _ => {}
    }
    s
}

fn read_record_file(path: &Path) -> Result<RecordForm> {
    let meta =
        std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
    if meta.len() > MAX_RECORD_FILE {
        bail!(
            "{} is too large for a record ({} bytes)",
            path.display(),
            meta.len()
        );
    }
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read {} as UTF-8 text", path.display()))?;
    RecordForm::from_json(&text).map_err(|e| anyhow!("invalid record file {}: {e}", path.display()))
}

/// The household overview.
pub fn list(store: &Store) -> Result<String> {
    let hh = store.household()?;
    let mut out = format!("household: {} member(s)\n", hh.members.len());
    for m in &hh.members {
        let records = store.records(m.id)?;
        out.push_str(&format!(
            "  {}\n",
            render::member_line(m, records.records.len())
        ));
        for r in &records.records {
            out.push_str(&format!(
                "      {}  {}  [{}]\n",
                r.record.kind.label_ja(),
                r.record.insurer_name,
                render::badge(&r.provenance)
            ));
        }
        if !records.corrupt.is_empty() {
            out.push_str(&format!(
                "      ! {} damaged record(s) could not be read\n",
                records.corrupt.len()
            ));
        }
    }
    for bad in &hh.corrupt {
        out.push_str(&format!("  ! damaged member row {bad} could not be read\n"));
    }
    Ok(out)
}

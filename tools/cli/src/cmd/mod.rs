//! One module per subcommand. Each declares its own arguments, opens what it needs through
//! [`crate::context`], does one thing and prints the result (through [`crate::render`] where a
//! view model is shown). No module here uses another: what two commands share lives in
//! `context`, `render`, `transport` or `util`.

pub mod card;
pub mod checklist;
pub mod clinic;
pub mod demo;
pub mod guidance;
pub mod household;
pub mod inspect;
pub mod issuer;
pub mod member;
pub mod passphrase;
pub mod qr;
pub mod record;
pub mod show;
pub mod sync;
pub mod validate;
pub mod vcard;
pub mod wipe;

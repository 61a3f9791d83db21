//! The editor's tools, built on the pipeline: the live preview (`serve`,
//! `preview`), `check --fix` (`fix`), re-pinning reviewed sources (`pin`),
//! finding a quote's line (`find`) and the scaffolding of new sources and
//! pages (`scaffold`).
//!
//! They sit above the pipeline: they call its phases and are never called by
//! them.

pub mod find;
pub mod fix;
pub mod pin;
pub mod preview;
pub mod scaffold;
pub mod serve;

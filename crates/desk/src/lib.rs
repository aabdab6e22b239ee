//! The domain of the kiemchung desk: reports, cases, decisions and the rules between them.
//!
//! Nothing here does I/O. Functions take the state they need and return a decision (a new
//! state, a validated value, an error); `kc_store` persists the outcome and its audit event.

pub mod appeal;
pub mod attachment;
pub mod audit;
pub mod auth;
pub mod awareness;
pub mod consult;
pub mod duty;
#[macro_use]
pub mod model;
pub mod notice;
pub mod outreach;
pub mod pack;
pub mod stats;
pub mod workflow;

pub use model::*;

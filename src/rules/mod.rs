//! Rules: the expression language of `when` conditions and the policy that
//! turns scores into tiers, verdicts and terms.

pub mod answers;
pub mod expr;
pub mod policy;

pub use expr::Expr;
pub use policy::{Permission, Policy, Verdict};

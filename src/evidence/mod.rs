//! Public evidence about a vendor: parsers for what vendors publish about
//! their own security. (The fetching layer and `vetted collect` are not
//! built yet; the parsers are pure and tested on real files.)

pub mod security_insights;
pub mod security_txt;

//! The order people expect of identifiers with numbers in them: control
//! ids as frameworks number them (`A.8.2` before `A.8.10`, `CC6.8` before
//! `CC10.1`), which plain text order gets wrong.

use std::cmp::Ordering;

/// Compares `a` and `b` in natural order: runs of ASCII digits by their
/// value, everything else as text. Equal values written differently
/// (`A.08`, `A.8`) fall back to text order, so the order is total and
/// only equal strings compare equal.
pub fn natural(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a.as_bytes(), b.as_bytes());
    loop {
        match (x.first(), y.first()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(p), Some(q)) if p.is_ascii_digit() && q.is_ascii_digit() => {
                let (m, rest_x) = digits(x);
                let (n, rest_y) = digits(y);
                // Leading zeros say nothing about the value.
                let m = trim_zeros(m);
                let n = trim_zeros(n);
                let by_value = m.len().cmp(&n.len()).then_with(|| m.cmp(n));
                if by_value != Ordering::Equal {
                    return by_value;
                }
                (x, y) = (rest_x, rest_y);
            }
            (Some(p), Some(q)) => {
                if p != q {
                    return p.cmp(q);
                }
                (x, y) = (&x[1..], &y[1..]);
            }
        }
    }
}

/// The run of digits `s` starts with, and the rest.
fn digits(s: &[u8]) -> (&[u8], &[u8]) {
    let n = s.iter().take_while(|b| b.is_ascii_digit()).count();
    s.split_at(n)
}

fn trim_zeros(s: &[u8]) -> &[u8] {
    let zeros = s.iter().take_while(|&&b| b == b'0').count();
    &s[zeros..]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(ids: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
        v.sort_by(|a, b| natural(a, b));
        v
    }

    #[test]
    fn numbers_compare_by_value() {
        assert_eq!(
            sorted(&["A.8.10", "A.8.2", "A.5.15", "A.8.1", "A.10.1"]),
            ["A.5.15", "A.8.1", "A.8.2", "A.8.10", "A.10.1"]
        );
        assert_eq!(
            sorted(&["CC10.1", "CC6.8", "CC6.10", "CC6.1"]),
            ["CC6.1", "CC6.8", "CC6.10", "CC10.1"]
        );
        assert_eq!(
            sorted(&["LOG-11", "LOG-2", "IAM-09", "IAM-10"]),
            ["IAM-09", "IAM-10", "LOG-2", "LOG-11"]
        );
    }

    #[test]
    fn text_compares_as_text() {
        assert_eq!(
            sorted(&["Signed-Releases", "Code-Review", "Maintained"]),
            ["Code-Review", "Maintained", "Signed-Releases"]
        );
        // A prefix comes first, with or without numbers after it.
        assert_eq!(sorted(&["A.8", "A.8.1", "A"]), ["A", "A.8", "A.8.1"]);
        assert_eq!(
            sorted(&["Art. 32", "Art. 28(3)"]),
            ["Art. 28(3)", "Art. 32"]
        );
        // Longer than any integer type.
        assert_eq!(
            natural("x99999999999999999999999", "x100000000000000000000000"),
            Ordering::Less
        );
    }

    #[test]
    fn the_order_is_total() {
        // The same value written with leading zeros: still told apart, by text.
        assert_eq!(natural("A.08", "A.8"), Ordering::Less);
        assert_eq!(natural("A.8", "A.08"), Ordering::Greater);
        assert_eq!(natural("A.8", "A.8"), Ordering::Equal);
        // Digits against text: as their bytes ('0'-'9' before letters).
        assert_eq!(natural("A1", "AB"), Ordering::Less);
        // Not ASCII: compared byte by byte, never split inside a character.
        assert_eq!(natural("Ä2", "Ä10"), Ordering::Less);
    }
}

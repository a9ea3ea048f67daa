//! Spreadsheet cells written by exports: text a spreadsheet would run as a formula (CSV
//! injection) is defused with a leading apostrophe; numbers stay numbers.

/// The cell as written: `=…`, `+…`, `@…`, a tab or a carriage return first, or a `-` that
/// does not start a number, gets a leading `'`.
pub fn defuse(text: &str) -> String {
    let formula = text.starts_with(['=', '+', '@', '\t', '\r'])
        || (text.starts_with('-') && text.parse::<f64>().is_err());
    if formula {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::defuse;

    #[test]
    fn formulas_are_defused_and_numbers_kept() {
        for formula in ["=SUM(A1)", "+1+1", "@cmd", "-cmd", "\tx", "\rx"] {
            assert_eq!(defuse(formula), format!("'{formula}"));
        }
        for plain in ["35000", "-12.5", "Westermoor", "", "a=b"] {
            assert_eq!(defuse(plain), plain);
        }
    }
}

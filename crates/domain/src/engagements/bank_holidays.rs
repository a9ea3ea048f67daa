//! England and Wales bank holidays, kept as data rather than worked out, because the
//! government moves and adds them (jubilees, a state funeral, a coronation, VE day).
//!
//! Sources: GOV.UK's published list (alphagov/calendars `bank-holidays.json`, the data
//! behind <https://www.gov.uk/bank-holidays>) for 2012 to 2021, and the python `holidays`
//! package (0.109, `UK(subdiv="ENG")`) for every year; the two agree. Years GOV.UK had not
//! yet published follow the usual rules and should be checked against it when it does.
//! Only days off are listed: a Christmas on a Sunday appears as its substitute day.

use jiff::civil::Date;

use super::NotCovered;

/// The first year the table lists every bank holiday of.
pub const FIRST_YEAR: i16 = 2012;
/// The last year the table lists every bank holiday of. A financial year needs the
/// January to March of the next calendar year, so this year's ends the last one covered.
pub const LAST_YEAR: i16 = 2029;

/// One bank holiday in England and Wales.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BankHoliday {
    pub date: Date,
    /// As GOV.UK names it.
    pub name: &'static str,
}

/// A row of the table; `Date::constant` refuses an impossible date at compile time.
const fn holiday(year: i16, month: i8, day: i8, name: &'static str) -> BankHoliday {
    BankHoliday {
        date: Date::constant(year, month, day),
        name,
    }
}

/// Every bank holiday from [`FIRST_YEAR`] to [`LAST_YEAR`], in date order.
pub const BANK_HOLIDAYS: &[BankHoliday] = &[
    // 2012
    holiday(2012, 1, 2, "New Year’s Day (substitute day)"),
    holiday(2012, 4, 6, "Good Friday"),
    holiday(2012, 4, 9, "Easter Monday"),
    holiday(2012, 5, 7, "Early May bank holiday"),
    holiday(2012, 6, 4, "Spring bank holiday (moved)"),
    holiday(2012, 6, 5, "Queen’s Diamond Jubilee"),
    holiday(2012, 8, 27, "Summer bank holiday"),
    holiday(2012, 12, 25, "Christmas Day"),
    holiday(2012, 12, 26, "Boxing Day"),
    // 2013
    holiday(2013, 1, 1, "New Year’s Day"),
    holiday(2013, 3, 29, "Good Friday"),
    holiday(2013, 4, 1, "Easter Monday"),
    holiday(2013, 5, 6, "Early May bank holiday"),
    holiday(2013, 5, 27, "Spring bank holiday"),
    holiday(2013, 8, 26, "Summer bank holiday"),
    holiday(2013, 12, 25, "Christmas Day"),
    holiday(2013, 12, 26, "Boxing Day"),
    // 2014
    holiday(2014, 1, 1, "New Year’s Day"),
    holiday(2014, 4, 18, "Good Friday"),
    holiday(2014, 4, 21, "Easter Monday"),
    holiday(2014, 5, 5, "Early May bank holiday"),
    holiday(2014, 5, 26, "Spring bank holiday"),
    holiday(2014, 8, 25, "Summer bank holiday"),
    holiday(2014, 12, 25, "Christmas Day"),
    holiday(2014, 12, 26, "Boxing Day"),
    // 2015
    holiday(2015, 1, 1, "New Year’s Day"),
    holiday(2015, 4, 3, "Good Friday"),
    holiday(2015, 4, 6, "Easter Monday"),
    holiday(2015, 5, 4, "Early May bank holiday"),
    holiday(2015, 5, 25, "Spring bank holiday"),
    holiday(2015, 8, 31, "Summer bank holiday"),
    holiday(2015, 12, 25, "Christmas Day"),
    holiday(2015, 12, 28, "Boxing Day (substitute day)"),
    // 2016
    holiday(2016, 1, 1, "New Year’s Day"),
    holiday(2016, 3, 25, "Good Friday"),
    holiday(2016, 3, 28, "Easter Monday"),
    holiday(2016, 5, 2, "Early May bank holiday"),
    holiday(2016, 5, 30, "Spring bank holiday"),
    holiday(2016, 8, 29, "Summer bank holiday"),
    holiday(2016, 12, 26, "Boxing Day"),
    holiday(2016, 12, 27, "Christmas Day (substitute day)"),
    // 2017
    holiday(2017, 1, 2, "New Year’s Day (substitute day)"),
    holiday(2017, 4, 14, "Good Friday"),
    holiday(2017, 4, 17, "Easter Monday"),
    holiday(2017, 5, 1, "Early May bank holiday"),
    holiday(2017, 5, 29, "Spring bank holiday"),
    holiday(2017, 8, 28, "Summer bank holiday"),
    holiday(2017, 12, 25, "Christmas Day"),
    holiday(2017, 12, 26, "Boxing Day"),
    // 2018
    holiday(2018, 1, 1, "New Year’s Day"),
    holiday(2018, 3, 30, "Good Friday"),
    holiday(2018, 4, 2, "Easter Monday"),
    holiday(2018, 5, 7, "Early May bank holiday"),
    holiday(2018, 5, 28, "Spring bank holiday"),
    holiday(2018, 8, 27, "Summer bank holiday"),
    holiday(2018, 12, 25, "Christmas Day"),
    holiday(2018, 12, 26, "Boxing Day"),
    // 2019
    holiday(2019, 1, 1, "New Year’s Day"),
    holiday(2019, 4, 19, "Good Friday"),
    holiday(2019, 4, 22, "Easter Monday"),
    holiday(2019, 5, 6, "Early May bank holiday"),
    holiday(2019, 5, 27, "Spring bank holiday"),
    holiday(2019, 8, 26, "Summer bank holiday"),
    holiday(2019, 12, 25, "Christmas Day"),
    holiday(2019, 12, 26, "Boxing Day"),
    // 2020
    holiday(2020, 1, 1, "New Year’s Day"),
    holiday(2020, 4, 10, "Good Friday"),
    holiday(2020, 4, 13, "Easter Monday"),
    holiday(2020, 5, 8, "Early May bank holiday (VE day)"),
    holiday(2020, 5, 25, "Spring bank holiday"),
    holiday(2020, 8, 31, "Summer bank holiday"),
    holiday(2020, 12, 25, "Christmas Day"),
    holiday(2020, 12, 28, "Boxing Day (substitute day)"),
    // 2021
    holiday(2021, 1, 1, "New Year’s Day"),
    holiday(2021, 4, 2, "Good Friday"),
    holiday(2021, 4, 5, "Easter Monday"),
    holiday(2021, 5, 3, "Early May bank holiday"),
    holiday(2021, 5, 31, "Spring bank holiday"),
    holiday(2021, 8, 30, "Summer bank holiday"),
    holiday(2021, 12, 27, "Christmas Day (substitute day)"),
    holiday(2021, 12, 28, "Boxing Day (substitute day)"),
    // 2022
    holiday(2022, 1, 3, "New Year’s Day (substitute day)"),
    holiday(2022, 4, 15, "Good Friday"),
    holiday(2022, 4, 18, "Easter Monday"),
    holiday(2022, 5, 2, "Early May bank holiday"),
    holiday(2022, 6, 2, "Spring bank holiday (moved)"),
    holiday(2022, 6, 3, "Platinum Jubilee bank holiday"),
    holiday(2022, 8, 29, "Summer bank holiday"),
    holiday(
        2022,
        9,
        19,
        "Bank Holiday for the State Funeral of Queen Elizabeth II",
    ),
    holiday(2022, 12, 26, "Boxing Day"),
    holiday(2022, 12, 27, "Christmas Day (substitute day)"),
    // 2023
    holiday(2023, 1, 2, "New Year’s Day (substitute day)"),
    holiday(2023, 4, 7, "Good Friday"),
    holiday(2023, 4, 10, "Easter Monday"),
    holiday(2023, 5, 1, "Early May bank holiday"),
    holiday(2023, 5, 8, "Bank holiday for the coronation of King Charles III"),
    holiday(2023, 5, 29, "Spring bank holiday"),
    holiday(2023, 8, 28, "Summer bank holiday"),
    holiday(2023, 12, 25, "Christmas Day"),
    holiday(2023, 12, 26, "Boxing Day"),
    // 2024
    holiday(2024, 1, 1, "New Year’s Day"),
    holiday(2024, 3, 29, "Good Friday"),
    holiday(2024, 4, 1, "Easter Monday"),
    holiday(2024, 5, 6, "Early May bank holiday"),
    holiday(2024, 5, 27, "Spring bank holiday"),
    holiday(2024, 8, 26, "Summer bank holiday"),
    holiday(2024, 12, 25, "Christmas Day"),
    holiday(2024, 12, 26, "Boxing Day"),
    // 2025
    holiday(2025, 1, 1, "New Year’s Day"),
    holiday(2025, 4, 18, "Good Friday"),
    holiday(2025, 4, 21, "Easter Monday"),
    holiday(2025, 5, 5, "Early May bank holiday"),
    holiday(2025, 5, 26, "Spring bank holiday"),
    holiday(2025, 8, 25, "Summer bank holiday"),
    holiday(2025, 12, 25, "Christmas Day"),
    holiday(2025, 12, 26, "Boxing Day"),
    // 2026
    holiday(2026, 1, 1, "New Year’s Day"),
    holiday(2026, 4, 3, "Good Friday"),
    holiday(2026, 4, 6, "Easter Monday"),
    holiday(2026, 5, 4, "Early May bank holiday"),
    holiday(2026, 5, 25, "Spring bank holiday"),
    holiday(2026, 8, 31, "Summer bank holiday"),
    holiday(2026, 12, 25, "Christmas Day"),
    holiday(2026, 12, 28, "Boxing Day (substitute day)"),
    // 2027
    holiday(2027, 1, 1, "New Year’s Day"),
    holiday(2027, 3, 26, "Good Friday"),
    holiday(2027, 3, 29, "Easter Monday"),
    holiday(2027, 5, 3, "Early May bank holiday"),
    holiday(2027, 5, 31, "Spring bank holiday"),
    holiday(2027, 8, 30, "Summer bank holiday"),
    holiday(2027, 12, 27, "Christmas Day (substitute day)"),
    holiday(2027, 12, 28, "Boxing Day (substitute day)"),
    // 2028
    holiday(2028, 1, 3, "New Year’s Day (substitute day)"),
    holiday(2028, 4, 14, "Good Friday"),
    holiday(2028, 4, 17, "Easter Monday"),
    holiday(2028, 5, 1, "Early May bank holiday"),
    holiday(2028, 5, 29, "Spring bank holiday"),
    holiday(2028, 8, 28, "Summer bank holiday"),
    holiday(2028, 12, 25, "Christmas Day"),
    holiday(2028, 12, 26, "Boxing Day"),
    // 2029
    holiday(2029, 1, 1, "New Year’s Day"),
    holiday(2029, 3, 30, "Good Friday"),
    holiday(2029, 4, 2, "Easter Monday"),
    holiday(2029, 5, 7, "Early May bank holiday"),
    holiday(2029, 5, 28, "Spring bank holiday"),
    holiday(2029, 8, 27, "Summer bank holiday"),
    holiday(2029, 12, 25, "Christmas Day"),
    holiday(2029, 12, 26, "Boxing Day"),
];

/// Whether the table lists every bank holiday of `year`.
pub fn covers(year: i16) -> bool {
    (FIRST_YEAR..=LAST_YEAR).contains(&year)
}

/// Every year from `from` to `to` must be covered; the error names the first that is not.
pub fn check_covered(from: Date, to: Date) -> Result<(), NotCovered> {
    match (from.year()..=to.year()).find(|y| !covers(*y)) {
        Some(year) => Err(NotCovered { year }),
        None => Ok(()),
    }
}

/// Whether `date` is a bank holiday in England and Wales.
pub fn is_bank_holiday(date: Date) -> Result<bool, NotCovered> {
    check_covered(date, date)?;
    Ok(BANK_HOLIDAYS.binary_search_by_key(&date, |h| h.date).is_ok())
}

/// The bank holidays from `from` to `to`, both included (empty when `to` is before `from`).
pub fn between(from: Date, to: Date) -> &'static [BankHoliday] {
    let first = BANK_HOLIDAYS.partition_point(|h| h.date < from);
    let after = BANK_HOLIDAYS.partition_point(|h| h.date <= to);
    BANK_HOLIDAYS.get(first..after).unwrap_or(&[])
}

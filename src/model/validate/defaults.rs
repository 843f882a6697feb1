//! A field's default value: it must fit the field's type, bounds and
//! values, as the database will check it.

use crate::diagnostic::{Code, Problem};
use crate::model::names::sql_string;
use crate::model::{DefaultValue, FieldType, number_value, ts_number};
use crate::spec::Located;

use super::Checker;
use super::identifiers::suggesting;

impl Checker {
    pub(super) fn default_value(
        &mut self,
        default: &Located<serde_json::Value>,
        field_type: FieldType,
        values: &[String],
        min: Option<&Located<serde_json::Number>>,
        max: Option<&Located<serde_json::Number>>,
        what: &str,
    ) -> Option<DefaultValue> {
        use serde_json::Value;
        let json = default.value.clone();
        let mismatch = |expected: &str| {
            Problem::new(
                Code::InvalidDefault,
                default.span,
                format!("the default of {what} doesn't match its type `{field_type}`"),
                format!("expected {expected}"),
            )
        };
        // `today` and `now` are worked out by the database at insert time,
        // so no other layer knows them in advance.
        if let Some(sql) = insert_time_default(field_type, &json) {
            return Some(DefaultValue {
                json,
                sql: sql.to_owned(),
                ts: None,
            });
        }
        let sql = match (field_type, &json) {
            (FieldType::Json, value) => {
                let text = serde_json::to_string(value).unwrap_or_default();
                format!("{}::jsonb", sql_string(&text))
            }
            (
                FieldType::String | FieldType::Text | FieldType::Email | FieldType::Url,
                Value::String(text),
            ) => {
                if text.contains('\0') {
                    self.report(mismatch(
                        "text without NUL characters, which PostgreSQL can't store",
                    ));
                    return None;
                }
                let length = text.chars().count() as f64;
                if min.is_some_and(|min| length < number_value(&min.value))
                    || max.is_some_and(|max| length > number_value(&max.value))
                {
                    self.report(Problem::new(Code::InvalidDefault, default.span, format!("the default of {what} is {length} characters long, outside its min and max"), "length out of bounds"));
                    return None;
                }
                if field_type == FieldType::Email && !looks_like_email(text) {
                    self.report(mismatch("an email address like `someone@example.com`"));
                    return None;
                }
                if field_type == FieldType::Url && !looks_like_url(text) {
                    self.report(mismatch("an http:// or https:// address"));
                    return None;
                }
                sql_string(text)
            }
            (FieldType::Enum, Value::String(text)) if values.contains(text) => sql_string(text),
            (FieldType::Enum, Value::String(text)) => {
                let problem = Problem::new(
                    Code::InvalidDefault,
                    default.span,
                    format!("the default `{text}` of {what} is not one of its values"),
                    "not an enum value",
                );
                let hint = format!("values: {}", values.join(", "));
                self.report(suggesting(
                    problem,
                    text,
                    values.iter().map(String::as_str),
                    hint,
                ));
                return None;
            }
            (
                FieldType::Integer | FieldType::Bigint | FieldType::Decimal | FieldType::Float,
                Value::Number(number),
            ) => {
                if !is_exact(number) {
                    self.report(
                        Problem::new(
                            Code::InvalidDefault,
                            default.span,
                            format!(
                                "the default of {what} has more digits than can be kept exactly"
                            ),
                            "would be rounded",
                        )
                        .with_help(
                            "use at most 15 significant digits, or an integer within 64 bits",
                        ),
                    );
                    return None;
                }
                let whole_kind = match field_type {
                    FieldType::Integer => number
                        .as_i64()
                        .and_then(|n| i32::try_from(n).ok())
                        .map(|_| ()),
                    FieldType::Bigint => number.as_i64().map(|_| ()),
                    _ => Some(()),
                };
                if whole_kind.is_none() {
                    self.report(mismatch(if field_type == FieldType::Integer {
                        "a whole number that fits in 32 bits"
                    } else {
                        "a whole number that fits in 64 bits"
                    }));
                    return None;
                }
                let value = number_value(number);
                if min.is_some_and(|min| value < number_value(&min.value))
                    || max.is_some_and(|max| value > number_value(&max.value))
                {
                    self.report(Problem::new(
                        Code::InvalidDefault,
                        default.span,
                        format!("the default of {what} is outside its min and max"),
                        "out of bounds",
                    ));
                    return None;
                }
                number.to_string()
            }
            (FieldType::Bool, Value::Bool(flag)) => flag.to_string(),
            (FieldType::Date, Value::String(text)) if is_date(text) => {
                format!("{}::date", sql_string(text))
            }
            (FieldType::Datetime, Value::String(text)) if is_datetime(text) => {
                format!("{}::timestamptz", sql_string(text))
            }
            (FieldType::Uuid, Value::String(text)) if is_uuid(text) => {
                format!("{}::uuid", sql_string(text))
            }
            (field_type, _) => {
                let expected = match field_type {
                    FieldType::String | FieldType::Text => "a string",
                    FieldType::Email => "an email address",
                    FieldType::Url => "a web address",
                    FieldType::Enum => "one of the enum's values",
                    FieldType::Integer | FieldType::Bigint => "a whole number",
                    FieldType::Decimal | FieldType::Float => "a number",
                    FieldType::Bool => "true or false",
                    FieldType::Date => "a date like `2024-01-31`, or `today`",
                    FieldType::Datetime => "a time like `2024-01-31T09:00:00Z`, or `now`",
                    FieldType::Uuid => "a UUID like `123e4567-e89b-12d3-a456-426614174000`",
                    FieldType::Json | FieldType::Ref => "nothing",
                };
                self.report(mismatch(expected));
                return None;
            }
        };
        let ts = match &json {
            Value::Number(number) => ts_number(number),
            other => Some(other.to_string()),
        };
        Some(DefaultValue { json, sql, ts })
    }
}

/// The SQL of a default the database works out at insert time: `today` for
/// a date, `now` for a datetime.
fn insert_time_default(field_type: FieldType, json: &serde_json::Value) -> Option<&'static str> {
    match (field_type, json.as_str()?) {
        (FieldType::Date, "today") => Some("CURRENT_DATE"),
        (FieldType::Datetime, "now") => Some("now()"),
        _ => None,
    }
}

/// Whether a YAML number survived parsing unrounded: integers within 64
/// bits always do; a float does when it needs no exponent to print, which
/// rules out values like 1e30 that PostgreSQL would store differently.
pub(super) fn is_exact(number: &serde_json::Number) -> bool {
    number.is_i64() || number.is_u64() || !number.to_string().contains(['e', 'E'])
}

/// The same language as the url CHECK (`^https?://[^[:space:]]+$`), so a
/// default the spec accepts is one the database accepts.
fn looks_like_url(text: &str) -> bool {
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"));
    rest.is_some_and(|rest| !rest.is_empty() && !rest.chars().any(char::is_whitespace))
}

/// The same language as the email CHECK (`^[^@[:space:]]+@[^@[:space:]]+$`).
fn looks_like_email(text: &str) -> bool {
    match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !text.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

fn digits(text: &str, count: usize) -> bool {
    text.len() == count && text.bytes().all(|b| b.is_ascii_digit())
}

fn is_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let [year, month, day] = parts.as_slice() else {
        return false;
    };
    if !(digits(year, 4) && digits(month, 2) && digits(day, 2)) {
        return false;
    }
    let (year, month, day): (u32, u32, u32) = match (year.parse(), month.parse(), day.parse()) {
        (Ok(y), Ok(m), Ok(d)) => (y, m, d),
        _ => return false,
    };
    // PostgreSQL has no year 0 (1 BC comes before 1 AD).
    if year == 0 {
        return false;
    }
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// RFC 3339: `2024-01-31T09:00:00Z`, optional fraction, `Z` or an offset.
fn is_datetime(text: &str) -> bool {
    let Some((date, time)) = text.split_once(['T', 't', ' ']) else {
        return false;
    };
    if !is_date(date) {
        return false;
    }
    let (clock, zone) = if let Some(clock) = time.strip_suffix(['Z', 'z']) {
        (clock, None)
    } else if let Some(idx) = time.rfind(['+', '-']) {
        (&time[..idx], Some(&time[idx + 1..]))
    } else {
        return false;
    };
    let clock = clock.split_once('.').map_or(clock, |(whole, fraction)| {
        if fraction.is_empty() || !fraction.bytes().all(|b| b.is_ascii_digit()) {
            "invalid"
        } else {
            whole
        }
    });
    let in_range =
        |part: &str, max: u32| digits(part, 2) && part.parse::<u32>().is_ok_and(|n| n <= max);
    let clock_ok = match clock.split(':').collect::<Vec<_>>().as_slice() {
        [h, m, s] => in_range(h, 23) && in_range(m, 59) && in_range(s, 60),
        _ => false,
    };
    let zone_ok = match zone {
        None => true,
        Some(zone) => match zone.split(':').collect::<Vec<_>>().as_slice() {
            [h, m] => in_range(h, 23) && in_range(m, 59),
            _ => false,
        },
    };
    clock_ok && zone_ok
}

fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times() {
        assert!(is_date("2024-02-29"));
        assert!(!is_date("2023-02-29"));
        assert!(!is_date("2024-13-01"));
        assert!(is_datetime("2024-01-31T09:00:00Z"));
        assert!(is_datetime("2024-01-31T09:00:00.123+02:00"));
        assert!(!is_datetime("2024-01-31T25:00:00Z"));
        assert!(!is_datetime("2024-01-31"));
        assert!(is_uuid("123e4567-e89b-12d3-a456-426614174000"));
        assert!(!is_uuid("123e4567-e89b-12d3-a456-42661417400"));
    }
}

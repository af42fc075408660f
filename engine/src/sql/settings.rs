//! Session settings: what SET, SHOW and RESET change and read, and what the
//! server reports to clients at startup (ParameterStatus).

use crate::types::SessionTimeZone;

use super::error::{SqlError, SqlResult, code};

/// The settings of one session.
#[derive(Debug, Clone)]
pub struct Settings {
    time_zone: SessionTimeZone,
    application_name: String,
    extra_float_digits: i32,
    statement_timeout_ms: u64,
    idle_in_transaction_timeout_ms: u64,
    search_path: String,
    /// Whether the session's role is a superuser (read only).
    is_superuser: bool,
    /// Whether queries may use bitmap indexes (PostgreSQL's
    /// `enable_bitmapscan`); off, they read every row, which is how the
    /// property tests check the indexed plans.
    enable_bitmapscan: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            time_zone: SessionTimeZone::utc(),
            application_name: String::new(),
            extra_float_digits: 1,
            statement_timeout_ms: 0,
            idle_in_transaction_timeout_ms: 0,
            search_path: "\"$user\", public".into(),
            is_superuser: true,
            enable_bitmapscan: true,
        }
    }
}

/// Settings that are fixed: SET accepts only their current value.
/// The settings a session can change, which RESET ALL returns to their
/// defaults.
const CHANGEABLE: &[&str] = &[
    "timezone",
    "application_name",
    "extra_float_digits",
    "statement_timeout",
    "idle_in_transaction_session_timeout",
    "search_path",
    "enable_bitmapscan",
];

const FIXED: &[(&str, &str)] = &[
    ("server_version", "15.0"),
    ("server_version_num", "150000"),
    ("server_encoding", "UTF8"),
    ("client_encoding", "UTF8"),
    ("datestyle", "ISO, MDY"),
    ("intervalstyle", "postgres"),
    ("integer_datetimes", "on"),
    ("standard_conforming_strings", "on"),
    ("default_transaction_isolation", "read committed"),
    ("transaction_isolation", "read committed"),
    ("max_identifier_length", "63"),
    ("lc_collate", "C"),
    ("lc_ctype", "C"),
];

/// What clients are told at startup and after a change (ParameterStatus).
pub const REPORTED: &[&str] = &[
    "server_version",
    "server_encoding",
    "client_encoding",
    "DateStyle",
    "IntervalStyle",
    "TimeZone",
    "integer_datetimes",
    "standard_conforming_strings",
    "is_superuser",
    "application_name",
];

impl Settings {
    /// The session time zone.
    pub fn time_zone(&self) -> &SessionTimeZone {
        &self.time_zone
    }

    /// statement_timeout in milliseconds (0: none).
    pub fn statement_timeout_ms(&self) -> u64 {
        self.statement_timeout_ms
    }

    /// idle_in_transaction_session_timeout in milliseconds (0: none).
    pub fn idle_in_transaction_timeout_ms(&self) -> u64 {
        self.idle_in_transaction_timeout_ms
    }

    /// Whether queries may use bitmap indexes (`enable_bitmapscan`).
    pub fn enable_bitmapscan(&self) -> bool {
        self.enable_bitmapscan
    }

    /// The value SHOW gives for `name` (case-insensitive).
    pub fn get(&self, name: &str) -> SqlResult<String> {
        let name = name.to_ascii_lowercase();
        Ok(match name.as_str() {
            "timezone" => self.time_zone.name().to_owned(),
            "application_name" => self.application_name.clone(),
            "extra_float_digits" => self.extra_float_digits.to_string(),
            "statement_timeout" => format_ms(self.statement_timeout_ms),
            "idle_in_transaction_session_timeout" => format_ms(self.idle_in_transaction_timeout_ms),
            "search_path" => self.search_path.clone(),
            "is_superuser" => if self.is_superuser { "on" } else { "off" }.to_owned(),
            "enable_bitmapscan" => if self.enable_bitmapscan { "on" } else { "off" }.to_owned(),
            other => FIXED
                .iter()
                .find(|(n, _)| *n == other)
                .map(|(_, v)| (*v).to_owned())
                .ok_or_else(|| unknown(other))?,
        })
    }

    /// RESET `name`, or every setting a session can change (`all`).
    pub fn reset(&mut self, name: &str) -> SqlResult<()> {
        if !name.eq_ignore_ascii_case("all") {
            return self.set(name, None);
        }
        for name in CHANGEABLE {
            self.set(name, None)?;
        }
        Ok(())
    }

    /// SET `name` TO `value`; `None` resets it to its default.
    pub fn set(&mut self, name: &str, value: Option<&str>) -> SqlResult<()> {
        let name = name.to_ascii_lowercase();
        let defaults = Settings::default();
        match name.as_str() {
            "timezone" => {
                self.time_zone = match value {
                    None => defaults.time_zone,
                    Some(v)
                        if v.eq_ignore_ascii_case("default") || v.eq_ignore_ascii_case("local") =>
                    {
                        defaults.time_zone
                    }
                    Some(v) => SessionTimeZone::parse(v)?,
                }
            }
            "application_name" => {
                self.application_name = value.unwrap_or_default().to_owned();
            }
            "extra_float_digits" => {
                self.extra_float_digits = match value {
                    None => defaults.extra_float_digits,
                    Some(v) => parse_int(&name, v, -15, 3)? as i32,
                }
            }
            "statement_timeout" => {
                self.statement_timeout_ms =
                    value.map(|v| parse_ms(&name, v)).transpose()?.unwrap_or(0)
            }
            "idle_in_transaction_session_timeout" => {
                self.idle_in_transaction_timeout_ms =
                    value.map(|v| parse_ms(&name, v)).transpose()?.unwrap_or(0)
            }
            "search_path" => {
                self.search_path = value.map(str::to_owned).unwrap_or(defaults.search_path);
            }
            "enable_bitmapscan" => {
                self.enable_bitmapscan = match value {
                    None => defaults.enable_bitmapscan,
                    Some(v) => parse_bool(&name, v)?,
                }
            }
            "is_superuser" => {
                return Err(SqlError::new(
                    "55P02",
                    "parameter \"is_superuser\" cannot be changed",
                ));
            }
            other => {
                let Some((_, fixed)) = FIXED.iter().find(|(n, _)| *n == other) else {
                    return Err(unknown(other));
                };
                if let Some(v) = value {
                    let same = v.eq_ignore_ascii_case(fixed)
                        || (other == "datestyle" && v.to_ascii_uppercase().contains("ISO"))
                        || (other == "client_encoding" && v.eq_ignore_ascii_case("utf-8"));
                    if !same {
                        return Err(SqlError::new(
                            code::INVALID_PARAMETER_VALUE,
                            format!("invalid value for parameter \"{other}\": \"{v}\""),
                        )
                        .with_detail(format!("crmdb supports only \"{fixed}\".")));
                    }
                }
            }
        }
        Ok(())
    }

    /// Sets what `is_superuser` reports (the session's role's attribute).
    pub fn set_is_superuser(&mut self, superuser: bool) {
        self.is_superuser = superuser;
    }

    /// The startup ParameterStatus pairs.
    pub fn reported(&self) -> Vec<(&'static str, String)> {
        REPORTED
            .iter()
            .map(|name| (*name, self.get(name).expect("reported settings exist")))
            .collect()
    }
}

fn unknown(name: &str) -> SqlError {
    SqlError::new(
        code::UNDEFINED_OBJECT,
        format!("unrecognized configuration parameter \"{name}\""),
    )
}

/// A boolean setting, as PostgreSQL reads one (`on`, `off`, `true`,
/// `false`, `yes`, `no`, `1`, `0` and unique prefixes of the words).
fn parse_bool(name: &str, v: &str) -> SqlResult<bool> {
    let t = v.trim().to_ascii_lowercase();
    let is = |word: &str, min: usize| t.len() >= min && word.starts_with(t.as_str());
    if is("true", 1) || is("yes", 1) || is("on", 2) || t == "1" {
        Ok(true)
    } else if is("false", 1) || is("no", 1) || is("off", 2) || t == "0" {
        Ok(false)
    } else {
        Err(SqlError::new(
            code::INVALID_PARAMETER_VALUE,
            format!("parameter \"{name}\" requires a Boolean value"),
        ))
    }
}

fn parse_int(name: &str, v: &str, min: i64, max: i64) -> SqlResult<i64> {
    let n: i64 = v.trim().parse().map_err(|_| {
        SqlError::new(
            code::INVALID_PARAMETER_VALUE,
            format!("invalid value for parameter \"{name}\": \"{v}\""),
        )
    })?;
    if n < min || n > max {
        return Err(SqlError::new(
            code::INVALID_PARAMETER_VALUE,
            format!("{n} is outside the valid range for parameter \"{name}\" ({min} .. {max})"),
        ));
    }
    Ok(n)
}

/// A duration setting: a number of milliseconds, or with a unit (ms, s, min, h).
fn parse_ms(name: &str, v: &str) -> SqlResult<u64> {
    let t = v.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let bad = || {
        SqlError::new(
            code::INVALID_PARAMETER_VALUE,
            format!("invalid value for parameter \"{name}\": \"{v}\""),
        )
    };
    let n: u64 = num.parse().map_err(|_| bad())?;
    let factor = match unit.trim() {
        "" | "ms" => 1,
        "s" => 1000,
        "min" => 60_000,
        "h" => 3_600_000,
        _ => return Err(bad()),
    };
    n.checked_mul(factor)
        .filter(|ms| *ms <= i32::MAX as u64)
        .ok_or_else(bad)
}

fn format_ms(ms: u64) -> String {
    if ms == 0 {
        "0".into()
    } else if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reset_returns_settings_to_their_defaults() {
        let defaults = Settings::default();
        let mut s = Settings::default();
        s.set_is_superuser(true);
        s.set("statement_timeout", Some("5s")).unwrap();
        s.set("application_name", Some("app")).unwrap();
        s.set("extra_float_digits", Some("2")).unwrap();
        s.set("TimeZone", Some("Europe/Berlin")).unwrap();
        s.reset("statement_timeout").unwrap();
        assert_eq!(s.get("statement_timeout").unwrap(), "0");
        assert_eq!(s.get("application_name").unwrap(), "app");
        s.reset("all").unwrap();
        for name in CHANGEABLE {
            assert_eq!(s.get(name).unwrap(), defaults.get(name).unwrap(), "{name}");
        }
        // What the session is, not a setting, stays.
        assert_eq!(s.get("is_superuser").unwrap(), "on");
        assert_eq!(s.reset("no_such").unwrap_err().code, code::UNDEFINED_OBJECT);
    }
}

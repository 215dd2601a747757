//! The intake facts of a complaint as typed, on the command line (`log`, `amend`,
//! `classify`) or in a spreadsheet row: one plain type that both fill, and one check that
//! resolves codes or Chinese labels and refuses what cannot be (a phone without digits, no
//! complainant, a negative amount). Pure.

use crate::money::Money;
use crate::rules::Rules;
use crate::ticket::Facts;

/// Intake facts as typed; every one optional (an amendment gives only what it corrects).
#[derive(Debug, Clone, Default)]
pub struct Intake {
    pub project: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub subject: Option<String>,
    pub unit: Option<String>,
    pub description: Option<String>,
    pub request: Option<String>,
    pub channel: Option<String>,
    pub received_by: Option<String>,
    pub headcount: Option<i64>,
    pub flags: Vec<String>,
    pub compensation: Option<String>,
    pub target: Option<String>,
    pub type_: Option<String>,
    pub ext_ref: Option<String>,
}

/// Resolves and checks every fact given; all problems are reported at once, each with the
/// fact it is about (`received-by`, `flag`, ...: the option's name), for the command line to
/// say as an option and import as a column.
pub fn check(rules: &Rules, a: &Intake) -> Result<Facts, Vec<(&'static str, String)>> {
    let mut p = Vec::new();
    let mut f = Facts::default();
    let mut opt = |name: &'static str, r: Result<String, String>| match r {
        Ok(v) => Some(v),
        Err(e) => {
            p.push((name, e));
            None
        }
    };
    f.project = a
        .project
        .as_ref()
        .and_then(|v| opt("project", rules.resolve_project(v)));
    f.name = a
        .name
        .as_ref()
        .and_then(|v| opt("name", non_empty(v, "the name")));
    f.phone = a.phone.as_ref().and_then(|v| opt("phone", phone(v)));
    f.subject = a
        .subject
        .as_ref()
        .and_then(|v| opt("subject", non_empty(v, "the subject")));
    f.unit = a.unit.as_ref().map(|v| v.trim().to_string());
    f.description = a.description.clone();
    f.request = a.request.clone();
    f.channel = a
        .channel
        .as_ref()
        .and_then(|v| opt("channel", rules.channels().resolve(v)));
    f.received_by = a
        .received_by
        .as_ref()
        .and_then(|v| opt("received-by", rules.departments().resolve(v)));
    f.type_ = a
        .type_
        .as_ref()
        .and_then(|v| opt("type", rules.types().resolve(v)));
    f.target = a
        .target
        .as_ref()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty());
    f.ext_ref = a
        .ext_ref
        .as_ref()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty());
    if !a.flags.is_empty() {
        let mut flags: Vec<String> = Vec::new();
        for v in a.flags.iter().flat_map(|v| split_list(v)) {
            if let Some(code) = opt("flag", rules.flags().resolve(&v))
                && !flags.contains(&code)
            {
                flags.push(code);
            }
        }
        f.flags = Some(flags);
    }
    if let Some(h) = a.headcount {
        match headcount(h) {
            Ok(h) => f.headcount = Some(h),
            Err(e) => p.push(("headcount", e)),
        }
    }
    if let Some(c) = &a.compensation {
        match Money::parse(c) {
            Ok(m) => f.compensation = Some(m),
            Err(e) => p.push(("compensation", e)),
        }
    }
    if p.is_empty() { Ok(f) } else { Err(p) }
}

/// Splits `a,b`, `a;b`, `a、b` into items (flags typed or imported as one cell).
pub fn split_list(s: &str) -> Vec<String> {
    s.split([',', ';', '、', '，', '；'])
        .map(|x| x.trim().to_string())
        .filter(|x| !x.is_empty())
        .collect()
}

pub fn non_empty(v: &str, what: &str) -> Result<String, String> {
    let t = v.trim();
    if t.is_empty() {
        Err(format!("{what} is empty"))
    } else {
        Ok(t.to_string())
    }
}

pub fn phone(v: &str) -> Result<String, String> {
    let t = v.trim();
    if let Some(c) = t
        .chars()
        .find(|c| !(c.is_ascii_digit() || "+-() ".contains(*c)))
    {
        return Err(format!(
            "'{t}' is not a phone number: '{c}' is not allowed (use digits, spaces and + - ( ))"
        ));
    }
    if !t.chars().any(|c| c.is_ascii_digit()) {
        return Err(format!("'{t}' is not a phone number: it has no digits"));
    }
    Ok(t.to_string())
}

pub fn headcount(h: i64) -> Result<u32, String> {
    if h < 1 {
        return Err(format!(
            "{h} people; a complaint has at least 1 complainant"
        ));
    }
    u32::try_from(h).map_err(|_| format!("{h} is too many people"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones() {
        assert_eq!(phone(" +86 (871) 555-0100 ").unwrap(), "+86 (871) 555-0100");
        assert!(phone("138x").unwrap_err().contains("'x' is not allowed"));
        assert!(phone("()").unwrap_err().contains("no digits"));
    }

    #[test]
    fn lists_split_on_chinese_and_latin_separators() {
        assert_eq!(
            split_list("safety、media; brand,"),
            vec!["safety", "media", "brand"]
        );
    }
}

//! `plaint calendar [--year Y]`: the working-day calendar the desk's clocks use, so an admin
//! can compare it with the State Council's notice before trusting a deadline.

use super::Outcome;
use super::{Ctx, as_of};
use crate::cli::{CalendarArgs, ListFormat};
use crate::output;
use chrono::{Datelike, NaiveDate, Weekday};
use serde_json::json;

fn weekday(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "星期一",
        Weekday::Tue => "星期二",
        Weekday::Wed => "星期三",
        Weekday::Thu => "星期四",
        Weekday::Fri => "星期五",
        Weekday::Sat => "星期六",
        Weekday::Sun => "星期日",
    }
}

pub fn run(ctx: &Ctx, a: CalendarArgs) -> anyhow::Result<Outcome> {
    let desk = ctx.open()?;
    let cal = &desk.rules.calendar;
    let now = as_of(&desk, &a.read)?;
    if let Some(y) = a.year
        && !(2000..=2099).contains(&y)
    {
        anyhow::bail!("--year {y}: plaint keeps the years 2000–2099");
    }
    let covered: Vec<i32> = cal
        .years
        .as_ref()
        .map(|y| y.iter().copied().collect())
        .unwrap_or_default();
    let wanted = |d: &NaiveDate| a.year.is_none_or(|y| d.year() == y);
    // (date, is a holiday) in date order; a date listed as both is a make-up day.
    let mut days: Vec<(NaiveDate, bool)> = cal
        .holidays
        .iter()
        .filter(|d| wanted(d))
        .map(|d| (*d, !cal.workdays.contains(d)))
        .collect();
    days.extend(
        cal.workdays
            .iter()
            .filter(|d| wanted(d) && !cal.holidays.contains(d))
            .map(|d| (*d, false)),
    );
    days.sort();
    let weekend: Vec<String> = cal
        .weekend
        .iter()
        .map(|d| weekday(*d).to_string())
        .collect();
    for w in super::check::calendar_warnings(&desk.rules, now) {
        eprintln!("warning: {w}");
    }
    if let Some(y) = a.year
        && !cal.covers(y)
        && !cal.years_missing(now).contains(&y)
    {
        eprintln!(
            "warning: the calendar does not cover {y}; the working clock counts only weekends as days off there"
        );
    }
    let kind = |h: bool| if h { "holiday" } else { "workday" };
    let text = match a.format {
        ListFormat::Json => output::json(&json!({
            "rules": desk.rules_source.describe(),
            "years": covered,
            "weekend": cal.weekend.iter().map(|d| d.to_string().to_lowercase()).collect::<Vec<_>>(),
            "hours": cal.hours.iter().map(|(a, b)| format!("{}-{}", a.format("%H:%M"), b.format("%H:%M"))).collect::<Vec<_>>(),
            "days": days.iter().map(|(d, h)| json!({
                "date": d.to_string(),
                "weekday": d.weekday().to_string().to_lowercase(),
                "kind": kind(*h),
                "name": cal.names.get(d),
            })).collect::<Vec<_>>(),
        }))?,
        ListFormat::Csv => output::csv(
            &["date", "weekday", "kind", "name"],
            &days
                .iter()
                .map(|(d, h)| {
                    vec![
                        d.to_string(),
                        d.weekday().to_string().to_lowercase(),
                        kind(*h).to_string(),
                        cal.names.get(d).cloned().unwrap_or_default(),
                    ]
                })
                .collect::<Vec<_>>(),
            false,
        )?,
        ListFormat::Table => {
            let hours = if cal.hours.is_empty() {
                "全天(工作日 24 小时计)".to_string()
            } else {
                cal.hours
                    .iter()
                    .map(|(a, b)| format!("{}-{}", a.format("%H:%M"), b.format("%H:%M")))
                    .collect::<Vec<_>>()
                    .join("、")
            };
            let mut out = format!(
                "工作日历({})\n已录入节假日的年份:{}\n周末:{}\n工作时间:{hours}\n",
                desk.rules_source.describe(),
                if covered.is_empty() {
                    "无(只按周末计)".to_string()
                } else {
                    covered
                        .iter()
                        .map(|y| y.to_string())
                        .collect::<Vec<_>>()
                        .join("、")
                },
                weekend.join("、")
            );
            if days.is_empty() {
                out.push_str("没有节假日或调休上班日。\n");
            } else {
                let rows: Vec<Vec<String>> = days
                    .iter()
                    .map(|(d, h)| {
                        vec![
                            d.to_string(),
                            weekday(d.weekday()).to_string(),
                            if *h { "放假" } else { "调休上班" }.to_string(),
                            cal.names.get(d).cloned().unwrap_or_default(),
                        ]
                    })
                    .collect();
                out.push_str(&output::table(&["日期", "星期", "安排", "节日"], &rows));
            }
            out
        }
    };
    output::print(&text)?;
    Ok(Outcome::Done)
}

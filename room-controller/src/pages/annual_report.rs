//! The annual report written for publishing: an HTML page and a CSV file.

use site_api::AnnualReport;

use super::html::{escape, page};

/// (label, value) rows, in the order both formats show them.
fn figures(report: &AnnualReport) -> Vec<(String, String)> {
    let mut rows: Vec<(String, String)> = report
        .decisions_by_type
        .iter()
        .map(|(kind, n)| {
            (
                format!("执法决定 decisions: {}", kind.label()),
                n.to_string(),
            )
        })
        .collect();
    rows.extend([
        (
            "执法决定合计 decisions in all".to_string(),
            report.decisions.to_string(),
        ),
        (
            "举行听证 hearings held".to_string(),
            report.hearings_held.to_string(),
        ),
        (
            "全过程录音录像 recordings".to_string(),
            report.recordings.to_string(),
        ),
        (
            "录音录像时长（小时）recorded hours".to_string(),
            format!("{:.1}", report.recorded_hours),
        ),
        (
            "法制审核通过 reviews passed".to_string(),
            report.reviews_passed.to_string(),
        ),
        (
            "法制审核退回 reviews returned".to_string(),
            report.reviews_returned.to_string(),
        ),
        (
            "法制审核不通过 reviews failed".to_string(),
            report.reviews_failed.to_string(),
        ),
        (
            "按时公示 published on time".to_string(),
            report.published_on_time.to_string(),
        ),
        (
            "逾期公示 published late or overdue".to_string(),
            report.published_late.to_string(),
        ),
        (
            "依法不公示 withheld by law".to_string(),
            report.withheld.to_string(),
        ),
        (
            "投诉（差评）complaints (bad ratings)".to_string(),
            report.complaints.to_string(),
        ),
    ]);
    rows
}

/// The report as CSV: `item,value`, with the agency and year first.
pub fn annual_report_csv(report: &AnnualReport) -> String {
    let quote = |text: &str| format!("\"{}\"", text.replace('"', "\"\""));
    let mut out = format!(
        "{},{}\n{},{}\n{},{}\n",
        quote("项目 item"),
        quote("数值 value"),
        quote("机关 agency"),
        quote(&report.agency_name),
        quote("年度 year"),
        report.year
    );
    for (label, value) in figures(report) {
        out.push_str(&format!("{},{}\n", quote(&label), quote(&value)));
    }
    out
}

/// The report as a self-contained HTML page.
pub fn annual_report_html(report: &AnnualReport) -> String {
    let title = format!(
        "{}{}年度行政执法工作报告",
        escape(&report.agency_name),
        report.year
    );
    let mut rows = String::new();
    for (label, value) in figures(report) {
        rows.push_str(&format!(
            "<tr><th scope=\"row\">{}</th><td>{}</td></tr>\n",
            escape(&label),
            escape(&value)
        ));
    }
    page(
        &title,
        &format!(
            "<p>Annual report of administrative law enforcement, {year}.</p>\n<table>\n{rows}</table>\n",
            year = report.year
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use site_api::ActionType;

    #[test]
    fn both_formats_carry_every_figure() {
        let report = AnnualReport {
            agency_id: "a".into(),
            agency_name: "甲局".into(),
            year: 2026,
            decisions_by_type: ActionType::ALL.iter().map(|&kind| (kind, 1)).collect(),
            decisions: 6,
            hearings_held: 1,
            recordings: 2,
            recorded_hours: 1.5,
            reviews_passed: 1,
            reviews_returned: 0,
            reviews_failed: 0,
            published_on_time: 1,
            published_late: 0,
            withheld: 0,
            complaints: 3,
        };
        let csv = annual_report_csv(&report);
        assert!(
            csv.contains("\"执法决定合计 decisions in all\",\"6\""),
            "{csv}"
        );
        assert!(
            csv.contains("\"录音录像时长（小时）recorded hours\",\"1.5\""),
            "{csv}"
        );
        let html = annual_report_html(&report);
        assert!(html.contains("甲局2026年度行政执法工作报告"), "{html}");
        assert!(html.contains("<td>3</td>"), "complaints shown: {html}");
    }
}

//! The site's publicity as static pages (`room-controller publicity export`): an index and one
//! page per agency, before the fact and after, to put on the agency's website or a kiosk
//! without the site API. What they show is exactly what `GET /api/publicity` shows.

use super::html::{escape, page};
use site_api::{AgencyPublicityView, PublicityView};

/// Each page as (file name, HTML).
pub fn publicity_pages(view: &PublicityView) -> Vec<(String, String)> {
    let mut index = String::from("<ul>\n");
    let mut pages = Vec::new();
    for agency in &view.agencies {
        let file = format!("{}.html", agency.agency_id);
        index.push_str(&format!(
            "<li><a href=\"{}\">{}</a>（执法事项 {} 项 · 执法人员 {} 名 · 公开决定 {} 件）</li>\n",
            escape(&file),
            escape(&agency.agency_name),
            agency.before.items.len(),
            agency.staff.len(),
            agency.decisions.len()
        ));
        pages.push((file, agency_page(agency)));
    }
    index.push_str(
        "</ul>\n<p>行政执法公示 · Public display of administrative enforcement information</p>\n",
    );
    let title = format!("{} · 行政执法公示", escape(&view.site_name));
    pages.insert(0, ("index.html".to_string(), page(&title, &index)));
    pages
}

/// A table with a header row; every cell is escaped here.
fn table(headers: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let mut out = String::from("<table>\n<tr>");
    for header in headers {
        out.push_str(&format!("<th scope=\"col\"><b>{}</b></th>", escape(header)));
    }
    out.push_str("</tr>\n");
    let mut any = false;
    for row in rows {
        any = true;
        out.push_str("<tr>");
        // Each cell names its column, so that on a phone a row reads as a card (see `page`).
        for (cell, header) in row.iter().zip(headers) {
            out.push_str(&format!(
                "<td data-label=\"{}\">{}</td>",
                escape(header),
                escape(cell)
            ));
        }
        out.push_str("</tr>\n");
    }
    if !any {
        out.push_str(&format!(
            "<tr><td colspan=\"{}\">暂无 none yet</td></tr>\n",
            headers.len()
        ));
    }
    out.push_str("</table>\n");
    out
}

fn agency_page(agency: &AgencyPublicityView) -> String {
    let before = &agency.before;
    let mut body = String::new();
    body.push_str("<h2>事前公示 · Before the fact</h2>\n");
    body.push_str(&format!(
        "<p>执法主体：{}　执法区域：{}</p>\n",
        escape(&agency.agency_name),
        escape(&before.area)
    ));
    body.push_str("<h3>执法事项 Enforcement items</h3>\n");
    body.push_str(&table(
        &["事项", "类别", "依据", "承办机构", "时限", "收费"],
        before.items.iter().map(|i| {
            vec![
                i.name.clone(),
                i.category.clone(),
                i.basis.clone(),
                i.body.clone(),
                i.deadline.clone(),
                i.fees.clone(),
            ]
        }),
    ));
    body.push_str("<h3>执法人员 Enforcement staff</h3>\n");
    body.push_str(&table(
        &["姓名", "执法证号", "执法类别", "执法区域"],
        agency.staff.iter().map(|s| {
            vec![
                s.name.clone(),
                s.credential_number.clone(),
                s.categories.join("、"),
                before.area.clone(),
            ]
        }),
    ));
    body.push_str("<h3>双随机抽查 Random inspections</h3>\n");
    body.push_str(&table(
        &["计划", "对象", "比例", "期间", "结果"],
        before.inspections.iter().map(|i| {
            vec![
                i.plan.clone(),
                i.subjects.clone(),
                i.ratio.clone(),
                i.period.clone(),
                i.result.clone(),
            ]
        }),
    ));
    body.push_str("<h3>行政检查结果 Inspection results</h3>\n");
    body.push_str(&table(
        &["检查对象", "检查事项", "检查日期", "检查结果", "公示日期"],
        agency.inspection_results.iter().map(|i| {
            vec![
                i.subject.clone(),
                i.item.clone(),
                i.done_on.to_string(),
                i.result.clone(),
                i.published_on.map(|d| d.to_string()).unwrap_or_default(),
            ]
        }),
    ));
    body.push_str("<h3>服务指南与流程 Guides and flows</h3>\n");
    for guide in &before.guides {
        body.push_str(&format!(
            "<h4>{}</h4>\n<ol class=\"flow\">",
            escape(&guide.title)
        ));
        for step in &guide.steps {
            body.push_str(&format!("<li>{}</li>", escape(step)));
        }
        body.push_str("</ol>\n<p>");
        for (label, value) in [
            ("地点", &guide.place),
            ("时限", &guide.deadline),
            ("收费", &guide.fees),
        ] {
            if !value.is_empty() {
                body.push_str(&format!("{label}：{}　", escape(value)));
            }
        }
        if !guide.materials.is_empty() {
            body.push_str(&format!("材料：{}", escape(&guide.materials.join("；"))));
        }
        body.push_str("</p>\n");
    }
    body.push_str("<h3>重大执法决定目录 Major decisions (legal review first)</h3>\n<ul>");
    for kind in &before.major_decisions {
        body.push_str(&format!("<li>{}</li>", escape(kind)));
    }
    for kind in &before.discussed_decisions {
        body.push_str(&format!(
            "<li>{}（须经集体讨论 collectively discussed）</li>",
            escape(kind)
        ));
    }
    body.push_str("</ul>\n<h3>监督和救济渠道 Supervision and remedy</h3>\n<ul>");
    let channels = &before.channels;
    for (label, value) in [
        ("执法监督", &channels.supervision),
        ("行政复议", &channels.reconsideration),
        ("行政诉讼", &channels.litigation),
        ("投诉举报", &channels.complaint),
    ] {
        if !value.is_empty() {
            body.push_str(&format!("<li>{label}：{}</li>", escape(value)));
        }
    }
    body.push_str("</ul>\n<h2>事后公示 · Decisions</h2>\n");
    body.push_str(&table(
        &["当事人", "类别", "文号", "决定内容", "决定日期", "公开日期"],
        agency.decisions.iter().map(|d| {
            vec![
                d.party.clone(),
                d.category.clone(),
                d.document_number.clone(),
                d.conclusion.clone(),
                d.decided_on.clone(),
                d.published_on.clone(),
            ]
        }),
    ));
    page(
        &format!("{} · 行政执法公示", escape(&agency.agency_name)),
        &body,
    )
}

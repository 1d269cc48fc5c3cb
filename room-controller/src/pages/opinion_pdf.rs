//! The review opinion (法制审核意见书) as a PDF for the case file: A4, the site's CJK font
//! embedded as a subset (so the document reads the same on any machine), laid out as the
//! browser's printable page is. Made without a browser.

use krilla::Document;
use krilla::geom::Point;
use krilla::page::PageSettings;
use krilla::text::{Font, TextDirection};
use site_api::{CaseView, ReviewOutcome, ReviewView, SubmissionView};
use std::path::Path;
use std::sync::{Arc, OnceLock};

/// Where Debian's fonts-noto-cjk puts its serif and sans collections, and the index of the
/// Simplified Chinese face in each.
const CJK_FONTS: [(&str, u32); 2] = [
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
];

const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
const MARGIN: f32 = 64.0;
const BODY_SIZE: f32 = 11.0;
const LINE: f32 = 18.0;

/// The font, read once; `None` (with the reason) when the machine has none.
fn cjk_font() -> Result<Font, String> {
    static FONT: OnceLock<Result<Font, String>> = OnceLock::new();
    FONT.get_or_init(|| {
        for (path, index) in CJK_FONTS {
            if let Ok(bytes) = std::fs::read(Path::new(path))
                && let Some(font) = Font::new(Arc::new(bytes).into(), index)
            {
                return Ok(font);
            }
        }
        Err(format!(
            "no CJK font for the opinion's PDF at {}; install fonts-noto-cjk (scripts/setup.sh)",
            CJK_FONTS[0].0
        ))
    })
    .clone()
}

/// How wide `text` is, in ems: CJK characters and full-width punctuation take one, the rest
/// about half (a little over, so that a line never runs past the margin).
fn width_in_ems(text: &str) -> f32 {
    text.chars()
        .map(|c| if (c as u32) < 0x2E80 { 0.56 } else { 1.0 })
        .sum()
}

/// `text` broken into lines no wider than `width` points at `size`.
fn wrap(text: &str, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for c in paragraph.chars() {
            line.push(c);
            if width_in_ems(&line) * size > width {
                line.pop();
                lines.push(std::mem::take(&mut line));
                line.push(c);
            }
        }
        lines.push(line);
    }
    lines
}

/// Lines laid down the page, a new page whenever one is full.
struct Writer {
    font: Font,
    pages: Vec<Vec<(f32, f32, f32, String)>>,
    y: f32,
}

impl Writer {
    fn line(&mut self, x: f32, size: f32, text: &str) {
        if self.y + LINE > PAGE_HEIGHT - MARGIN {
            self.pages.push(Vec::new());
            self.y = MARGIN;
        }
        self.y += size.max(BODY_SIZE) * 1.5;
        if let Some(page) = self.pages.last_mut() {
            page.push((x, self.y, size, text.to_string()));
        }
    }

    fn centred(&mut self, size: f32, text: &str) {
        let x = (PAGE_WIDTH - width_in_ems(text) * size) / 2.0;
        self.line(x.max(MARGIN), size, text);
    }

    /// A label and its text, the text wrapped under itself.
    fn field(&mut self, label: &str, text: &str) {
        let indent = width_in_ems(label) * BODY_SIZE + 4.0;
        let width = PAGE_WIDTH - 2.0 * MARGIN - indent;
        for (i, line) in wrap(text, BODY_SIZE, width).iter().enumerate() {
            if i == 0 {
                self.line(MARGIN, BODY_SIZE, &format!("{label}{line}"));
            } else {
                self.line(MARGIN + indent, BODY_SIZE, line);
            }
        }
    }

    fn finish(self) -> Result<Vec<u8>, String> {
        let mut document = Document::new();
        for lines in &self.pages {
            let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT)
                .ok_or("the page size is not a size")?;
            let mut page = document.start_page_with(settings);
            let mut surface = page.surface();
            for (x, y, size, text) in lines {
                surface.draw_text(
                    Point::from_xy(*x, *y),
                    self.font.clone(),
                    *size,
                    text,
                    false,
                    TextDirection::Auto,
                );
            }
            surface.finish();
            page.finish();
        }
        document
            .finish()
            .map_err(|err| format!("cannot write the opinion's PDF: {err:?}"))
    }
}

/// The opinion of `review` on `case`, by the agency named `agency`, after `submission`.
pub fn opinion_pdf(
    agency: &str,
    case: &CaseView,
    review: &ReviewView,
    submission: Option<&SubmissionView>,
) -> Result<Vec<u8>, String> {
    let mut out = Writer {
        font: cjk_font()?,
        pages: vec![Vec::new()],
        y: MARGIN,
    };
    out.centred(16.0, agency);
    out.centred(22.0, "法制审核意见书");
    out.centred(BODY_SIZE, &review.opinion_number);
    out.line(MARGIN, BODY_SIZE, "");
    out.field("案号：", &case.number);
    out.field("当事人：", &case.party);
    match submission {
        Some(s) => {
            out.field(
                "送审：",
                &format!("{}（{}）", s.submitted_by, s.submitted_on),
            );
            out.field("送审材料：", &s.materials.join("、"));
        }
        None => out.field("送审：", "（未经送审登记）"),
    }
    out.line(MARGIN, BODY_SIZE, "审核内容：");
    for item in &review.checklist {
        let holds = if item.holds { "符合" } else { "不符合" };
        let note = if item.note.is_empty() {
            String::new()
        } else {
            format!("：{}", item.note)
        };
        out.field("    ", &format!("{}　{holds}{note}", item.item));
    }
    out.field("审核意见：", &review.opinion);
    let outcome = match review.outcome {
        ReviewOutcome::Pass => "同意（通过）",
        ReviewOutcome::Return => "退回补正",
        ReviewOutcome::Fail => "不同意（不通过）",
    };
    out.field("审核结论：", outcome);
    let disagreement = if review.disagreement.is_empty() {
        "无".to_string()
    } else {
        format!("{}；处理：{}", review.disagreement, review.settled)
    };
    out.field("分歧及处理：", &disagreement);
    out.line(MARGIN, BODY_SIZE, "");
    let signed = format!("审核人：{}", review.reviewer);
    let day: String = review.at.chars().take(10).collect();
    for text in [signed.as_str(), day.as_str()] {
        let x = PAGE_WIDTH - MARGIN - width_in_ems(text) * BODY_SIZE;
        out.line(x, BODY_SIZE, text);
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_wraps_within_the_margins_and_keeps_every_character() {
        let text = "事实清楚，证据确凿，适用法律正确，程序合法，裁量适当。".repeat(5);
        let lines = wrap(&text, BODY_SIZE, 200.0);
        assert!(lines.len() > 5);
        assert!(lines.iter().all(|l| width_in_ems(l) * BODY_SIZE <= 200.0));
        assert_eq!(lines.concat(), text);
        assert_eq!(wrap("a\nb", BODY_SIZE, 200.0), ["a", "b"]);
    }
}

//! The ticket printer: an ESC/POS thermal receipt printer on a serial line, or a USB line
//! printer device (/dev/usb/lp0), described by a printer profile. Text goes out in GB18030
//! with the printer's Chinese mode on. Before and after each ticket the printer is asked for
//! its paper state (DLE EOT 4); a printer out of paper, or one that does not answer, is a
//! problem the kiosk shows to staff, never one it ignores.

use hardware_profiles::PrinterProfile;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

const ESC: u8 = 0x1B;
const GS: u8 = 0x1D;
const FS: u8 = 0x1C;
const DLE: u8 = 0x10;
const EOT: u8 = 0x04;

/// Paper-sensor status (DLE EOT 4): bits 2–3 paper near its end, bits 5–6 paper out.
const NEAR_END: u8 = 0x0C;
const PAPER_OUT: u8 = 0x60;

/// What goes on a ticket.
#[derive(Debug, Clone)]
pub struct Slip {
    pub site: String,
    pub number: String,
    pub service: String,
    pub people_ahead: i64,
    pub wait_minutes: i64,
    /// "1、2 号窗口（一楼东侧）".
    pub windows: String,
    /// "2026-11-23 10:45".
    pub issued: String,
    pub priority: bool,
}

/// Why a ticket was not printed, or printed with a warning, said for staff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    OutOfPaper,
    /// Printed; the roll is about to run out.
    PaperNearEnd,
    NotAnswering(String),
    Gone(String),
}

impl Problem {
    /// One line for the staff bar of the kiosk.
    pub fn for_staff(&self) -> String {
        match self {
            Self::OutOfPaper => {
                "打印机缺纸，请工作人员更换纸卷 · Ticket printer out of paper: load a new roll"
                    .into()
            }
            Self::PaperNearEnd => {
                "打印纸即将用完，请准备纸卷 · Ticket printer paper nearly out".into()
            }
            Self::NotAnswering(port) => format!(
                "打印机无应答（{port}），请检查电源和连线 · Ticket printer not answering: check its power and cable"
            ),
            Self::Gone(why) => format!(
                "打印机未连接：{why} · Ticket printer missing: check its cable and the --printer-port setting"
            ),
        }
    }
}

/// A printer at a port, as its profile describes it.
pub struct Printer {
    pub port: PathBuf,
    pub profile: PrinterProfile,
}

impl Printer {
    /// Prints a ticket. `Ok(None)` when all went well; `Ok(Some(problem))` when printed with a
    /// warning; `Err(problem)` when nothing was printed.
    pub fn print(&self, slip: &Slip) -> Result<Option<Problem>, Problem> {
        let bytes = ticket_bytes(slip, &self.profile);
        if is_serial(&self.port) {
            let mut port = serialport::new(self.port.to_string_lossy(), self.profile.baud)
                .timeout(Duration::from_millis(u64::from(
                    self.profile.status_timeout_ms,
                )))
                .open()
                .map_err(|e| Problem::Gone(format!("{}: {e}", self.port.display())))?;
            let _ = port.clear(serialport::ClearBuffer::Input);
            let status = paper_status(port.as_mut())
                .ok_or_else(|| Problem::NotAnswering(self.port.display().to_string()))?;
            if status & PAPER_OUT != 0 {
                return Err(Problem::OutOfPaper);
            }
            port.write_all(&bytes)
                .and_then(|()| port.flush())
                .map_err(|e| Problem::Gone(format!("{}: {e}", self.port.display())))?;
            // Asked again: the printer answers once it has taken the whole ticket, and says
            // whether the roll ran out on it.
            let after = paper_status(port.as_mut())
                .ok_or_else(|| Problem::NotAnswering(self.port.display().to_string()))?;
            if after & PAPER_OUT != 0 {
                return Err(Problem::OutOfPaper);
            }
            Ok(((status | after) & NEAR_END != 0).then_some(Problem::PaperNearEnd))
        } else {
            // A line-printer device only takes bytes; its paper state is not readable here.
            let mut device = std::fs::OpenOptions::new()
                .write(true)
                .open(&self.port)
                .map_err(|e| Problem::Gone(format!("{}: {e}", self.port.display())))?;
            device
                .write_all(&bytes)
                .map_err(|e| Problem::Gone(format!("{}: {e}", self.port.display())))?;
            Ok(None)
        }
    }
}

fn is_serial(port: &Path) -> bool {
    let name = std::fs::canonicalize(port).unwrap_or_else(|_| port.to_path_buf());
    name.starts_with("/dev/tty") || name.starts_with("/dev/pts")
}

/// Asks for the paper state; `None` when the printer does not answer in time.
fn paper_status(port: &mut dyn serialport::SerialPort) -> Option<u8> {
    port.write_all(&[DLE, EOT, 4]).ok()?;
    port.flush().ok()?;
    let mut answer = [0u8; 1];
    match port.read(&mut answer) {
        Ok(1) => Some(answer[0]),
        _ => None,
    }
}

/// Text in GB18030, the encoding of Chinese ESC/POS printers.
fn gb18030(text: &str) -> Vec<u8> {
    encoding_rs::GB18030.encode(text).0.into_owned()
}

/// Columns a character takes on the printer: a Chinese character takes two.
fn char_width(c: char) -> usize {
    if c.is_ascii() { 1 } else { 2 }
}

#[cfg(test)]
fn width(text: &str) -> usize {
    text.chars().map(char_width).sum()
}

/// Breaks a text into lines of at most `columns`.
pub fn wrap(text: &str, columns: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let (mut line, mut used) = (String::new(), 0);
    for c in text.chars() {
        if used + char_width(c) > columns && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
            used = 0;
        }
        line.push(c);
        used += char_width(c);
    }
    lines.push(line);
    lines
}

/// The bytes of one ticket.
pub fn ticket_bytes(slip: &Slip, profile: &PrinterProfile) -> Vec<u8> {
    let columns = profile.columns as usize;
    let mut out = vec![ESC, b'@', FS, b'&'];
    let line = |out: &mut Vec<u8>, text: &str| {
        for part in wrap(text, columns) {
            out.extend(gb18030(&part));
            out.push(b'\n');
        }
    };
    // Centred: the site, bold; then the number four times as large.
    out.extend([ESC, b'a', 1, ESC, b'E', 1]);
    line(&mut out, &slip.site);
    out.extend([ESC, b'E', 0]);
    line(&mut out, "排队取号凭条");
    out.extend([GS, b'!', 0x33]);
    out.extend(gb18030(&slip.number));
    out.push(b'\n');
    out.extend([GS, b'!', 0x00]);
    line(&mut out, &slip.service);
    if slip.priority {
        line(&mut out, "绿色通道 优先办理");
    }
    out.extend([ESC, b'a', 0]);
    line(
        &mut out,
        &format!(
            "前面还有 {} 人，预计等候约 {} 分钟",
            slip.people_ahead, slip.wait_minutes
        ),
    );
    line(&mut out, &format!("请留意叫号，到 {} 办理", slip.windows));
    line(&mut out, &format!("取号时间 {}", slip.issued));
    line(&mut out, "过号请重新取号，当日有效");
    // Feed past the cutter, then cut.
    out.extend([ESC, b'd', 4]);
    if profile.cut {
        out.extend([GS, b'V', 66, 0]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(columns: u32, cut: bool) -> PrinterProfile {
        PrinterProfile {
            baud: 9600,
            columns,
            cut,
            status_timeout_ms: 500,
        }
    }

    fn slip() -> Slip {
        Slip {
            site: "示范政务服务中心".into(),
            number: "A023".into(),
            service: "营业执照办理".into(),
            people_ahead: 3,
            wait_minutes: 15,
            windows: "1、2 号窗口".into(),
            issued: "2026-11-23 10:45".into(),
            priority: false,
        }
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn a_ticket_is_esc_pos_with_gb18030_text() {
        let bytes = ticket_bytes(&slip(), &profile(32, true));
        assert!(
            bytes.starts_with(&[ESC, b'@', FS, b'&']),
            "reset, Chinese mode"
        );
        // 营 in GB18030 is D3 AA.
        assert!(contains(&bytes, &[0xD3, 0xAA]), "the service in GB18030");
        assert!(contains(&bytes, &[GS, b'!', 0x33, b'A', b'0', b'2', b'3']));
        assert!(bytes.ends_with(&[GS, b'V', 66, 0]), "cut at the end");
        assert!(!ticket_bytes(&slip(), &profile(32, false)).ends_with(&[GS, b'V', 66, 0]));
    }

    #[test]
    fn long_lines_wrap_at_the_paper_width() {
        let lines = wrap("前面还有 3 人，预计等候约 15 分钟", 16);
        assert!(lines.iter().all(|l| width(l) <= 16), "{lines:?}");
        assert_eq!(lines.concat(), "前面还有 3 人，预计等候约 15 分钟");
    }
}

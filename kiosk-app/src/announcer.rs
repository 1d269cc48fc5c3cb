//! The hall board's voice: each new call is announced in Mandarin ("请 A023 号到 3 号窗口办理"),
//! made on this machine by espeak-ng with no network. Announcements wait in a queue and are
//! spoken one after the other, each `repeat` times: a call never cuts another off.
//!
//! Debian's espeak-ng reads few Chinese characters, so the text is given in pinyin with tone
//! numbers to its `cmn-latn-pinyin` voice; the call's wording is fixed, so nothing is lost.

use site_api::CallView;
use std::path::PathBuf;
use std::process::Command;
use std::sync::mpsc::{Sender, channel};
use std::sync::{Mutex, OnceLock};

/// How calls are spoken.
#[derive(Debug, Clone)]
pub struct Voice {
    /// Times each call is said.
    pub repeat: u32,
    /// espeak-ng's amplitude, 0–200 (100 is its normal).
    pub volume: u32,
    /// Words per minute.
    pub speed: u32,
    /// Write each announcement as a WAV file here instead of playing it (for a sound system
    /// fed by files, and for tests).
    pub out_dir: Option<PathBuf>,
}

struct Announcer {
    queue: Sender<String>,
}

static ANNOUNCER: OnceLock<Announcer> = OnceLock::new();
/// The newest call already heard; `None` until the first hall document arrives.
static LAST_HEARD: Mutex<Option<i64>> = Mutex::new(None);

/// Starts the voice; without this, calls are shown but not spoken.
pub fn start(voice: Voice) -> std::io::Result<()> {
    let (queue, texts) = channel::<String>();
    std::thread::Builder::new()
        .name("liuhen-voice".into())
        .spawn(move || {
            let mut spoken = 0u32;
            while let Ok(text) = texts.recv() {
                for _ in 0..voice.repeat.max(1) {
                    spoken += 1;
                    if let Err(err) = speak(&voice, &text, spoken) {
                        tracing::error!(error = %err, "cannot announce a call; install espeak-ng (scripts/setup.sh)");
                    }
                }
            }
        })?;
    let _ = ANNOUNCER.set(Announcer { queue });
    Ok(())
}

fn speak(voice: &Voice, text: &str, count: u32) -> Result<(), String> {
    let mut command = Command::new("espeak-ng");
    command
        .args(["-v", "cmn-latn-pinyin"])
        .args(["-a", &voice.volume.min(200).to_string()])
        .args(["-s", &voice.speed.to_string()]);
    if let Some(dir) = &voice.out_dir {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        command.arg("-w").arg(dir.join(format!("{count:05}.wav")));
    }
    // Blocks until said: the next announcement starts after this one.
    let status = command
        .arg(text)
        .status()
        .map_err(|e| format!("espeak-ng: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("espeak-ng ended with {status}"))
    }
}

/// Queues every call newer than the last one heard, oldest first. The first hall seen after
/// start only sets the mark: calls made before the board started are not announced again.
pub fn hear(calls: &[CallView]) {
    let Some(announcer) = ANNOUNCER.get() else {
        return;
    };
    let mut last = LAST_HEARD.lock().unwrap_or_else(|e| e.into_inner());
    let newest = calls.iter().map(|c| c.call_id).max();
    let Some(heard) = *last else {
        *last = Some(newest.unwrap_or(0));
        return;
    };
    let mut new: Vec<&CallView> = calls.iter().filter(|c| c.call_id > heard).collect();
    new.sort_by_key(|c| c.call_id);
    for call in new {
        let _ = announcer
            .queue
            .send(announcement(&call.number, call.window_number));
    }
    if let Some(newest) = newest {
        *last = Some(heard.max(newest));
    }
}

const DIGITS: [&str; 10] = [
    "ling2", "yi1", "er4", "san1", "si4", "wu3", "liu4", "qi1", "ba1", "jiu3",
];

/// How a capital letter of a ticket number is said in a Chinese hall (as in English).
fn letter(c: char) -> &'static str {
    match c {
        'A' => "ei1",
        'B' => "bi4",
        'C' => "xi1",
        'D' => "di4",
        'E' => "yi4",
        'F' => "ai2 fu1",
        'G' => "ji4",
        'H' => "ai1 qi1",
        'I' => "ai4",
        'J' => "jie4",
        'K' => "kai4",
        'L' => "ai2 lu1",
        'M' => "ai2 mu1",
        'N' => "en1",
        'O' => "ou1",
        'P' => "pi4",
        'Q' => "qiu1",
        'R' => "a1 er3",
        'S' => "ai2 si1",
        'T' => "ti4",
        'U' => "you1",
        'V' => "wei1",
        'W' => "da2 bu1 liu1",
        'X' => "ai2 ke4 si1",
        'Y' => "wai4",
        _ => "zei4",
    }
}

/// A window number as said: 3 → san1, 12 → shi2 er4, 20 → er4 shi2; above 99, digit by digit.
fn window_number(n: u32) -> String {
    let digit = |d: u32| DIGITS[d as usize % 10];
    match n {
        0..=9 => digit(n).to_string(),
        10 => "shi2".into(),
        11..=19 => format!("shi2 {}", digit(n % 10)),
        20..=99 if n.is_multiple_of(10) => format!("{} shi2", digit(n / 10)),
        20..=99 => format!("{} shi2 {}", digit(n / 10), digit(n % 10)),
        _ => n
            .to_string()
            .chars()
            .filter_map(|c| c.to_digit(10))
            .map(digit)
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// "请 A023 号到 3 号窗口办理" in pinyin: the ticket's letters, then its digits one by one.
pub fn announcement(number: &str, window: u32) -> String {
    let ticket: Vec<&str> = number
        .chars()
        .map(|c| match c.to_digit(10) {
            Some(d) => DIGITS[d as usize],
            None => letter(c.to_ascii_uppercase()),
        })
        .collect();
    format!(
        "qing3 {} hao4, dao4 {} hao4 chuang1 kou3 ban4 li3",
        ticket.join(" "),
        window_number(window)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_is_said_digit_by_digit_to_its_window() {
        assert_eq!(
            announcement("A023", 3),
            "qing3 ei1 ling2 er4 san1 hao4, dao4 san1 hao4 chuang1 kou3 ban4 li3"
        );
        assert_eq!(window_number(12), "shi2 er4");
        assert_eq!(window_number(20), "er4 shi2");
        assert_eq!(window_number(35), "san1 shi2 wu3");
        assert_eq!(window_number(101), "yi1 ling2 yi1");
    }
}

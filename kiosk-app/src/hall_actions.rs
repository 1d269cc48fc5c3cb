//! What the hall's touch screens do: take a ticket at the kiosk (and print it), and the staff
//! member's counter actions. Each runs off the UI thread; its outcome is then shown. The hall's
//! own state changes only when the controller says so (pushed, then fetched).

use chrono::Local;
use site_api::{Client, ClientError, CounterAction, HallView, Priority, TakeTicket, TicketView};
use slint::ComponentHandle;

use crate::hall_screens::windows_label;
use crate::printer::{Printer, Slip};
use crate::screen::Options;
use crate::{CounterScreen, CounterVerb, HallAdapter, TicketKiosk};

/// What to show after an action.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The ticket just taken.
    pub ticket: Option<(TicketView, String)>,
    /// A refusal or failure, said for the person at the screen.
    pub message: String,
    /// For staff: the printer's problem, or "" when it printed.
    pub printer_problem: Option<String>,
}

/// What to tell the person at the screen when a call failed.
fn say(err: &ClientError) -> String {
    if err.is_unreachable() {
        "无法连接服务器，请稍后再试 · Cannot reach the server; try again shortly".to_string()
    } else {
        err.message()
    }
}

/// Takes a ticket for `service_id`, then prints it.
pub async fn take(
    client: &Client,
    printer: Option<&Printer>,
    service_id: &str,
    priority: bool,
) -> Outcome {
    let request = TakeTicket {
        service_id: service_id.to_string(),
        priority: if priority {
            // The kiosk does not ask which green-channel case applies; staff see it at
            // the counter.
            Priority::Elderly
        } else {
            Priority::Ordinary
        },
    };
    let ticket: TicketView = match client.take_ticket(&request).await {
        Ok(ticket) => ticket,
        Err(err) => {
            return Outcome {
                message: say(&err),
                ..Outcome::default()
            };
        }
    };
    let hall: Option<HallView> = client.hall().await.ok();
    let windows = where_to_go(hall.as_ref(), &ticket.service_id);
    let mut outcome = Outcome {
        ticket: Some((ticket.clone(), windows.clone())),
        ..Outcome::default()
    };
    if let Some(printer) = printer {
        let slip = Slip {
            site: hall.map(|h| h.site_name).unwrap_or_default(),
            number: ticket.number.clone(),
            service: ticket.service_name.clone(),
            people_ahead: ticket.people_ahead,
            wait_minutes: ticket.estimated_wait_minutes,
            windows,
            issued: Local::now().format("%Y-%m-%d %H:%M").to_string(),
            priority: ticket.priority != Priority::Ordinary,
        };
        outcome.printer_problem = Some(match printer.print(&slip) {
            Ok(None) => String::new(),
            Ok(Some(warning)) => warning.for_staff(),
            Err(problem) => {
                tracing::error!(problem = %problem.for_staff(), "ticket not printed");
                outcome.message =
                    "号票未能打印，请记下您的号码或联系工作人员 · The ticket could not be printed: note your number or ask staff".into();
                problem.for_staff()
            }
        });
    }
    outcome
}

/// "1、2 号窗口（一楼东侧）": the windows serving a service, and where they are.
fn where_to_go(hall: Option<&HallView>, service_id: &str) -> String {
    let Some(hall) = hall else {
        return "窗口".into();
    };
    let numbers: Vec<u32> = hall
        .services
        .iter()
        .find(|s| s.id == service_id)
        .map(|s| s.windows.clone())
        .unwrap_or_default();
    let mut places: Vec<&str> = hall
        .windows
        .iter()
        .filter(|w| numbers.contains(&w.number) && !w.location.is_empty())
        .map(|w| w.location.as_str())
        .collect();
    places.dedup();
    if places.is_empty() {
        windows_label(&numbers)
    } else {
        format!("{}（{}）", windows_label(&numbers), places.join("、"))
    }
}

/// The counter action a button asks for; `argument` is the service to transfer to or the
/// number to call back.
pub fn counter_action(verb: CounterVerb, argument: &str) -> CounterAction {
    match verb {
        CounterVerb::SignIn => CounterAction::SignIn,
        CounterVerb::SignOut => CounterAction::SignOut,
        CounterVerb::CallNext => CounterAction::CallNext,
        CounterVerb::Recall => CounterAction::Recall,
        CounterVerb::Start => CounterAction::Start,
        CounterVerb::Done => CounterAction::Done,
        CounterVerb::NoShow => CounterAction::NoShow,
        CounterVerb::Hold => CounterAction::Hold {
            reason: String::new(),
        },
        CounterVerb::Pause => CounterAction::Pause,
        CounterVerb::Resume => CounterAction::Resume,
        CounterVerb::Transfer => CounterAction::Transfer {
            service_id: Some(argument.to_string()),
            window_id: None,
        },
        CounterVerb::CallBack => CounterAction::Call {
            number: argument.to_string(),
        },
    }
}

/// The counter action named on the command line (`--press call_next`, `--press sign_out`, `--press call:A001`,
/// `--press transfer:licence`), for the drawn mode.
pub fn pressed(name: &str) -> Option<CounterAction> {
    let (verb, argument) = match name.split_once(':') {
        Some(("transfer", service)) => (CounterVerb::Transfer, service),
        Some(("call", number)) => (CounterVerb::CallBack, number),
        Some(_) => return None,
        None => {
            let verb = match name {
                "sign_in" => CounterVerb::SignIn,
                "sign_out" => CounterVerb::SignOut,
                "call_next" => CounterVerb::CallNext,
                "recall" => CounterVerb::Recall,
                "start" => CounterVerb::Start,
                "done" => CounterVerb::Done,
                "no_show" => CounterVerb::NoShow,
                "hold" => CounterVerb::Hold,
                "pause" => CounterVerb::Pause,
                "resume" => CounterVerb::Resume,
                _ => return None,
            };
            (verb, "")
        }
    };
    Some(counter_action(verb, argument))
}

/// Sends a counter action for window `window`.
pub async fn act(client: &Client, window: &str, action: CounterAction) -> Outcome {
    match client.counter(window, &action).await {
        Ok(_) => Outcome::default(),
        Err(err) => Outcome {
            message: say(&err),
            ..Outcome::default()
        },
    }
}

/// Shows an action's outcome on a hall screen.
pub fn show<C>(ui: &C, outcome: Outcome)
where
    C: ComponentHandle,
    for<'a> HallAdapter<'a>: slint::Global<'a, C>,
{
    let adapter = ui.global::<HallAdapter>();
    adapter.set_message(outcome.message.into());
    if let Some(problem) = outcome.printer_problem {
        adapter.set_printer_problem(problem.into());
    }
    if let Some((ticket, windows)) = outcome.ticket {
        adapter.set_ticket_number(ticket.number.as_str().into());
        adapter.set_ticket_service(ticket.service_name.as_str().into());
        adapter.set_ticket_detail(
            format!(
                "前面还有 {} 人 · 预计等候约 {} 分钟\n{} ahead · about {} min",
                ticket.people_ahead,
                ticket.estimated_wait_minutes,
                ticket.people_ahead,
                ticket.estimated_wait_minutes
            )
            .into(),
        );
        adapter.set_ticket_windows(format!("请留意叫号，到 {windows} 办理").into());
        adapter.set_priority(false);
    }
}

/// Runs `job` on the network runtime and shows its outcome on the screen's UI thread.
fn in_background<C>(
    ui: &C,
    options: &Options,
    job: impl std::future::Future<Output = Outcome> + Send + 'static,
) where
    C: ComponentHandle + 'static,
    for<'a> HallAdapter<'a>: slint::Global<'a, C>,
{
    let weak = ui.as_weak();
    options.net.spawn(async move {
        let outcome = job.await;
        let _ = weak.upgrade_in_event_loop(move |ui| show(&ui, outcome));
    });
}

/// Wires the ticket kiosk's buttons. A taken ticket stays on screen for `TICKET_SHOWN`.
pub fn wire_kiosk(ui: &TicketKiosk, options: &Options, printer: Option<Printer>) {
    let printer = std::sync::Arc::new(printer);
    let options = options.clone();
    let weak = ui.as_weak();
    // One timer, restarted by each ticket: a ticket taken just after another stays its full
    // time on screen.
    let clear = slint::Timer::default();
    ui.global::<HallAdapter>().on_take(move |service| {
        let Some(ui) = weak.upgrade() else { return };
        let priority = ui.global::<HallAdapter>().get_priority();
        let (client, printer) = (options.net.actions().clone(), printer.clone());
        in_background(&ui, &options, async move {
            take(&client, printer.as_ref().as_ref(), &service, priority).await
        });
        let weak = ui.as_weak();
        clear.start(slint::TimerMode::SingleShot, TICKET_SHOWN, move || {
            if let Some(ui) = weak.upgrade() {
                ui.global::<HallAdapter>().set_ticket_number("".into());
            }
        });
    });
}

/// How long a taken ticket stays on the kiosk's screen.
const TICKET_SHOWN: std::time::Duration = std::time::Duration::from_secs(20);

/// Wires the counter screen's buttons.
pub fn wire_counter(ui: &CounterScreen, options: &Options) {
    let options = options.clone();
    let weak = ui.as_weak();
    ui.global::<HallAdapter>().on_act(move |verb, argument| {
        let Some(ui) = weak.upgrade() else { return };
        let action = counter_action(verb, &argument);
        let (client, window) = (options.net.actions().clone(), options.subject.clone());
        in_background(
            &ui,
            &options,
            async move { act(&client, &window, action).await },
        );
    });
}

/// Does what a press would do and waits for it: for `--press` in drawn (PNG) mode.
pub fn press_now<C>(ui: &C, options: &Options, outcome: impl std::future::Future<Output = Outcome>)
where
    C: ComponentHandle,
    for<'a> HallAdapter<'a>: slint::Global<'a, C>,
{
    show(ui, options.net.block_on(outcome));
}

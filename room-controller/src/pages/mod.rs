//! Pages the controller writes for people to read: the annual report (HTML and CSV), the
//! review opinion as a PDF, and the static publicity pages, rendered from the site API's types. The records only hold the data.

mod annual_report;
pub(crate) mod html;
mod opinion_pdf;
mod publicity;

pub use annual_report::{annual_report_csv, annual_report_html};
pub use opinion_pdf::opinion_pdf;
pub use publicity::publicity_pages;

//! Self-contained HTML pages for publishing (the annual report, the publicity pages): no
//! script, no outside resource, CJK fonts first.

/// Text made safe inside HTML elements and attribute values.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A page with its (already escaped) title and body.
pub fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title>\n\
         <style>body{{font-family:'Noto Sans CJK SC','Noto Sans SC',sans-serif;max-width:60em;margin:2em auto;padding:0 1em}}\
         th{{text-align:left;font-weight:normal;vertical-align:top}}\
         table{{border-collapse:collapse;width:100%}}tr{{border-bottom:1px solid #ccc}}td,th{{padding:.3em}}\
         ol.flow{{display:flex;flex-wrap:wrap;list-style:none;padding:0}}\
         ol.flow li{{border:1px solid #1a5fb4;border-radius:.3em;padding:.2em .6em;margin:.2em}}\
         ol.flow li+li::before{{content:'→ ';color:#1a5fb4}}\
         img{{max-width:100%}}body{{overflow-wrap:anywhere}}\
         @media (max-width:40em){{table,tbody,tr,td{{display:block}}tr:has(th[scope=col]){{display:none}}\
         tr{{padding:.4em 0}}td[data-label]::before{{content:attr(data-label)'：';color:#555}}}}</style></head>\n\
         <body>\n<h1>{title}</h1>\n{body}</body>\n</html>\n"
    )
}

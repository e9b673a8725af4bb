//! Whole HTML pages around sanitised fragments: the standalone document, the share page and
//! its "not found" page. The style sheet is inline (a page must stand alone when saved or
//! attached) and has a print form, so a client can print the summary for a meeting.

/// The one style sheet of every page; the share route's Content-Security-Policy allows
/// exactly this text by its hash.
pub const STYLE: &str = "\
body{margin:0;background:#f6f7f9;color:#1f2328;font:16px/1.55 system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif}\
main{max-width:46rem;margin:2rem auto;padding:2rem 2.5rem;background:#fff;border:1px solid #d8dee4;border-radius:8px}\
article+article{margin-top:3rem;padding-top:2rem;border-top:1px solid #d8dee4}\
h1{font-size:1.6rem;line-height:1.25;margin-top:0}\
h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #eaeef2;padding-bottom:.2rem}\
a{color:#0a58ca}\
li+li{margin-top:.4rem}\
@media print{\
body{background:#fff;font-size:11pt;color:#000}\
main{max-width:none;margin:0;padding:0;border:0}\
article+article{break-before:page;border-top:0}\
h2{break-after:avoid}\
li,p{break-inside:avoid}\
a{color:#000;text-decoration:none}\
a[href^=\"http\"]::after{content:\" (\" attr(href) \")\";font-size:.9em}\
}";

/// A complete page: `title` (escaped here) and each already-sanitised fragment in its own
/// `<article>`.
pub fn standalone(title: &str, fragments: &[String]) -> String {
    let mut body = String::new();
    for fragment in fragments {
        body.push_str("<article>\n");
        body.push_str(fragment);
        body.push_str("</article>\n");
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"robots\" content=\"noindex, nofollow\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n{body}</main>\n</body>\n</html>\n",
        escaped(title)
    )
}

/// `text` with HTML's special characters escaped, for an element's content.
fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // Writing to a String cannot fail.
    let _ = pulldown_cmark_escape::escape_html(&mut out, text);
    out
}

/// The page every share link that cannot be shown answers with, whatever the reason, so a
/// guess learns nothing.
pub fn not_found() -> String {
    standalone(
        "Link not available",
        &[
            "<h1>This link is not available</h1>\n<p>It may have expired or been withdrawn. \
           Please ask your contact for a new link.</p>\n"
                .to_owned(),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_title_is_escaped_and_the_page_declares_its_charset() {
        let page = standalone("<script>alert(1)</script> & co", &["<p>x</p>".into()]);
        assert!(page.starts_with("<!DOCTYPE html>"));
        assert!(page.contains("<meta charset=\"utf-8\">"));
        assert!(!page.contains("<script>"), "{page}");
        assert!(page.contains("&lt;script&gt;"), "{page}");
        assert!(page.contains("@media print"));
    }
}

//! Any string through the Markdown escaper must render as exactly itself,
//! with controls, bidirectional and invisible characters shown as
//! `<U+XXXX>` (`vetted::visible::text`), and with no markup.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let expected = vetted::visible::text(s);
    let md = format!("{}\n", vetted::report::escape::escape(s));
    let mut text = String::new();
    for e in Parser::new_ext(
        &md,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES,
    ) {
        match e {
            Event::Text(t) => text.push_str(&t),
            Event::Start(Tag::Paragraph) | Event::End(TagEnd::Paragraph) => {}
            other => panic!("markup {other:?} from {s:?}"),
        }
    }
    assert_eq!(text, expected, "escaped {s:?} as {md:?}");
});

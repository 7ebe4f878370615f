//! A vendor filling a workbook, in a test: read every sheet with calamine,
//! write it again with rust_xlsxwriter with some cells changed, as a
//! spreadsheet program saves an edited file (visibility kept, formats and
//! validations dropped, which import never reads).
#![allow(dead_code)]

use std::io::Cursor;

use calamine::{Data, Reader, SheetVisible, Xlsx};

/// A new value for a cell.
#[derive(Clone, Debug)]
pub enum Put {
    /// Text.
    Text(String),
    /// A number.
    Number(f64),
    /// A date, as a spreadsheet stores a typed date (serial number, date
    /// format).
    Date(u16, u8, u8),
    /// Nothing.
    Blank,
}

/// Text.
pub fn text(s: &str) -> Put {
    Put::Text(s.to_string())
}

fn open(bytes: &[u8]) -> Xlsx<Cursor<Vec<u8>>> {
    calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).expect("a workbook")
}

/// Every sheet: name, visibility, cells.
pub fn sheets(bytes: &[u8]) -> Vec<(String, SheetVisible, calamine::Range<Data>)> {
    let mut book = open(bytes);
    let meta: Vec<(String, SheetVisible)> = book
        .sheets_metadata()
        .iter()
        .map(|s| (s.name.clone(), s.visible))
        .collect();
    meta.into_iter()
        .map(|(name, visible)| {
            let range = book.worksheet_range(&name).unwrap();
            (name, visible, range)
        })
        .collect()
}

/// Where the row of question `id` is: sheet and 0-based row.
pub fn find(bytes: &[u8], id: &str) -> (String, u32) {
    for (name, _, range) in sheets(bytes) {
        let Some((r0, _)) = range.start() else {
            continue;
        };
        for (i, row) in range.rows().enumerate() {
            if row
                .first()
                .is_some_and(|c| *c == Data::String(id.to_string()))
            {
                return (name, r0 + i as u32);
            }
        }
    }
    panic!("no row for {id}");
}

/// The cell's value as read back.
pub fn cell(bytes: &[u8], sheet: &str, row: u32, col: u32) -> Data {
    let (_, _, range) = sheets(bytes)
        .into_iter()
        .find(|(n, _, _)| n == sheet)
        .unwrap();
    range.get_value((row, col)).cloned().unwrap_or(Data::Empty)
}

/// The workbook with `edits` (sheet, 0-based row and column, value) made.
pub fn rewrite(bytes: &[u8], edits: &[(&str, u32, u16, Put)]) -> Vec<u8> {
    let mut out = rust_xlsxwriter::Workbook::new();
    let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    for (name, visible, range) in sheets(bytes) {
        let ws = out.add_worksheet();
        ws.set_name(&name).unwrap();
        if let Some((r0, c0)) = range.start() {
            for (i, row) in range.rows().enumerate() {
                for (j, value) in row.iter().enumerate() {
                    let (r, c) = (r0 + i as u32, (c0 + j as u32) as u16);
                    match value {
                        Data::String(s) => {
                            ws.write_string(r, c, s).unwrap();
                        }
                        Data::Float(f) => {
                            ws.write_number(r, c, *f).unwrap();
                        }
                        Data::Int(n) => {
                            ws.write_number(r, c, *n as f64).unwrap();
                        }
                        Data::Bool(b) => {
                            ws.write_boolean(r, c, *b).unwrap();
                        }
                        Data::DateTime(d) => {
                            ws.write_number_with_format(r, c, d.as_f64(), &date)
                                .unwrap();
                        }
                        _ => {}
                    }
                }
            }
        }
        for (sheet, r, c, put) in edits {
            if *sheet != name {
                continue;
            }
            match put {
                Put::Text(s) => {
                    ws.write_string(*r, *c, s).unwrap();
                }
                Put::Number(n) => {
                    ws.write_number(*r, *c, *n).unwrap();
                }
                Put::Date(y, m, d) => {
                    let dt = rust_xlsxwriter::ExcelDateTime::from_ymd(*y, *m, *d).unwrap();
                    ws.write_datetime_with_format(*r, *c, &dt, &date).unwrap();
                }
                Put::Blank => {
                    ws.write_blank(*r, *c, &rust_xlsxwriter::Format::new())
                        .unwrap();
                }
            }
        }
        match visible {
            SheetVisible::Hidden => {
                ws.set_hidden(true);
            }
            SheetVisible::VeryHidden => {
                ws.set_very_hidden(true);
            }
            SheetVisible::Visible => {}
        }
    }
    out.save_to_buffer().unwrap()
}

/// A CAIQ-shaped workbook: a title row (as v4.0.x has), then the header
/// row named as the CSA names it, then the rows (id, answer, description).
pub fn caiq(headers: &[&str], title_row: bool, rows: &[(&str, &str, &str)]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("CAIQv4.0.2").unwrap();
    let mut r = 0;
    if title_row {
        ws.write_string(
            0,
            0,
            "Consensus Assessments Initiative Questionnaire v4.0.2",
        )
        .unwrap();
        r = 1;
    }
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(r, c as u16, *h).unwrap();
    }
    for (i, (id, answer, description)) in rows.iter().enumerate() {
        let row = r + 1 + i as u32;
        ws.write_string(row, 0, *id).unwrap();
        ws.write_string(row, 1, "Is the control implemented?")
            .unwrap();
        ws.write_string(row, 2, *answer).unwrap();
        ws.write_string(row, 3, "CSP-owned").unwrap();
        ws.write_string(row, 4, *description).unwrap();
    }
    book.save_to_buffer().unwrap()
}

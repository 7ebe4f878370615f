//! Cells as a spreadsheet names them (`Keys!C14`), and reading a workbook
//! within bounds.

use std::fmt;
use std::io::Cursor;

use calamine::{Data, Range, Reader, Xlsx};

use crate::diag::{Code, Diagnostic, Pos};

/// One cell of a sheet: 0-based row and column, as calamine counts.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cell {
    /// The sheet's name.
    pub sheet: String,
    /// 0-based row.
    pub row: u32,
    /// 0-based column.
    pub col: u32,
}

impl Cell {
    /// The column's letters (`0` is `A`, `26` is `AA`).
    pub fn letters(col: u32) -> String {
        let mut n = col + 1;
        let mut out = Vec::new();
        while n > 0 {
            let rem = (n - 1) % 26;
            out.push(b'A' + rem as u8);
            n = (n - 1) / 26;
        }
        out.reverse();
        String::from_utf8(out).unwrap_or_default()
    }

    /// A diagnostic about this cell of `file`.
    pub fn error(&self, code: Code, file: &str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(code, &format!("{file}:{self}"), Pos::default(), message)
    }

    /// A warning about this cell of `file`.
    pub fn warning(&self, code: Code, file: &str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::warning(code, &format!("{file}:{self}"), Pos::default(), message)
    }
}

impl fmt::Display for Cell {
    /// `Keys!C14`; a sheet name with anything but letters, digits and `_`
    /// is quoted, as spreadsheets write it (`'Key storage'!C14`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plain = self
            .sheet
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_');
        let sheet = crate::visible::terminal(&self.sheet);
        if plain {
            write!(f, "{sheet}!")?;
        } else {
            write!(f, "'{}'!", sheet.replace('\'', "''"))?;
        }
        write!(f, "{}{}", Cell::letters(self.col), self.row + 1)
    }
}

/// A workbook's sheets, read whole: name, whether visible, and cells.
pub struct Book {
    /// Sheets in workbook order.
    pub sheets: Vec<Sheet>,
}

/// One sheet.
pub struct Sheet {
    /// Its name.
    pub name: String,
    /// Whether a person sees it (not hidden, not very hidden).
    pub visible: bool,
    /// Its cells.
    pub cells: Range<Data>,
}

impl Sheet {
    /// The cell at a 0-based position (absolute, whatever the range's
    /// start), or `Empty`.
    pub fn get(&self, row: u32, col: u32) -> &Data {
        self.cells.get_value((row, col)).unwrap_or(&Data::Empty)
    }

    /// The 0-based rows the sheet holds.
    pub fn rows(&self) -> std::ops::Range<u32> {
        match (self.cells.start(), self.cells.end()) {
            (Some((r0, _)), Some((r1, _))) => r0..r1 + 1,
            _ => 0..0,
        }
    }

    /// The 0-based columns the sheet holds.
    pub fn cols(&self) -> std::ops::Range<u32> {
        match (self.cells.start(), self.cells.end()) {
            (Some((_, c0)), Some((_, c1))) => c0..c1 + 1,
            _ => 0..0,
        }
    }

    /// A cell's text, trimmed; numbers as written; empty for nothing.
    pub fn text(&self, row: u32, col: u32) -> String {
        text(self.get(row, col))
    }

    /// The place of a cell.
    pub fn cell(&self, row: u32, col: u32) -> Cell {
        Cell {
            sheet: self.name.clone(),
            row,
            col,
        }
    }
}

/// A cell's value as text: strings trimmed, whole numbers without `.0`.
pub fn text(d: &Data) -> String {
    match d {
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => (*f as i64).to_string(),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => date_of(dt).map(|d| d.to_string()).unwrap_or_default(),
        Data::Error(_) | Data::Empty => String::new(),
    }
}

/// The calendar date of a spreadsheet date (its serial number), if it is
/// one and its time of day is midnight or absent.
pub fn date_of(dt: &calamine::ExcelDateTime) -> Option<crate::date::Date> {
    if !dt.is_datetime() {
        return None;
    }
    let (y, m, d, ..) = dt.to_ymd_hms_milli();
    format!("{y:04}-{m:02}-{d:02}").parse().ok()
}

/// Reads a workbook (`.xlsx`) from its bytes. `file` names it in
/// diagnostics. Refuses, before unpacking, a workbook whose parts would
/// unpack to more than [`super::MAX_UNPACKED_BYTES`] (a zip bomb), and a
/// file that is no workbook.
pub fn read(file: &str, bytes: Vec<u8>) -> Result<Book, Diagnostic> {
    let unreadable = |why: String| {
        Diagnostic::error(Code::WorkbookUnreadable, file, Pos::default(), why)
            .with_help("save the questionnaire as an Excel workbook (.xlsx) and import that file")
    };
    let unpacked = unpacked_size(&bytes).ok_or_else(|| {
        unreadable("the file is not an Excel workbook (.xlsx): it is not a zip archive".into())
    })?;
    if unpacked > super::MAX_UNPACKED_BYTES {
        return Err(unreadable(format!(
            "the workbook would unpack to {unpacked} bytes, more than the {} a questionnaire may hold",
            super::MAX_UNPACKED_BYTES
        )));
    }
    // The sizes above are what the archive says; what it unpacks to is
    // counted here, never holding more than a buffer of it.
    check_unpacked(&bytes).map_err(unreadable)?;
    let mut xlsx: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e| unreadable(format!("the workbook cannot be read ({e})")))?;
    let meta: Vec<(String, bool)> = xlsx
        .sheets_metadata()
        .iter()
        .map(|s| (s.name.clone(), s.visible == calamine::SheetVisible::Visible))
        .collect();
    let mut sheets = Vec::with_capacity(meta.len());
    for (name, visible) in meta {
        let cells = xlsx.worksheet_range(&name).map_err(|e| {
            unreadable(format!(
                "the sheet `{}` cannot be read ({e})",
                crate::diag::quote(&name)
            ))
        })?;
        sheets.push(Sheet {
            name,
            visible,
            cells,
        });
    }
    Ok(Book { sheets })
}

/// Unpacks every part of the archive into nothing, counting bytes, and
/// stops past [`super::MAX_UNPACKED_BYTES`] in all: an archive that
/// declares small sizes and inflates to gigabytes is refused here, before
/// calamine reads any part whole into memory.
fn check_unpacked(bytes: &[u8]) -> Result<(), String> {
    use std::io::Read;
    let limit = super::MAX_UNPACKED_BYTES;
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| format!("the workbook cannot be read ({e})"))?;
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let part = archive
            .by_index(i)
            .map_err(|e| format!("the workbook cannot be read ({e})"))?;
        let left = limit - total;
        let read = std::io::copy(&mut part.take(left + 1), &mut std::io::sink())
            .map_err(|e| format!("the workbook cannot be read ({e})"))?;
        total += read;
        if total > limit {
            return Err(format!(
                "the workbook unpacks to more than the {limit} bytes a questionnaire may hold, though it declares less"
            ));
        }
    }
    Ok(())
}

/// The total size a zip archive's entries declare once unpacked, read from
/// its central directory; `None` when it is not a zip archive (or a zip64
/// one, which no questionnaire needs).
fn unpacked_size(bytes: &[u8]) -> Option<u64> {
    const EOCD: [u8; 4] = [0x50, 0x4b, 0x05, 0x06];
    const ENTRY: [u8; 4] = [0x50, 0x4b, 0x01, 0x02];
    let u16_at = |at: usize| -> Option<u64> {
        Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?) as u64)
    };
    let u32_at = |at: usize| -> Option<u64> {
        Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?) as u64)
    };
    // The end record is at least 22 bytes, followed by a comment of at
    // most 65,535.
    let from = bytes.len().saturating_sub(22 + 65_535);
    let end = (from..=bytes.len().checked_sub(22)?)
        .rev()
        .find(|&i| bytes[i..i + 4] == EOCD)?;
    let entries = u16_at(end + 10)?;
    let mut at = usize::try_from(u32_at(end + 16)?).ok()?;
    let mut total: u64 = 0;
    for _ in 0..entries {
        if bytes.get(at..at + 4)? != ENTRY {
            return None;
        }
        let size = u32_at(at + 24)?;
        if size == u64::from(u32::MAX) {
            return None;
        }
        total = total.saturating_add(size);
        let name = usize::try_from(u16_at(at + 28)?).ok()?;
        let extra = usize::try_from(u16_at(at + 30)?).ok()?;
        let comment = usize::try_from(u16_at(at + 32)?).ok()?;
        at = at.checked_add(46 + name + extra + comment)?;
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_named_as_spreadsheets_name_them() {
        let at = |sheet: &str, row, col| {
            Cell {
                sheet: sheet.into(),
                row,
                col,
            }
            .to_string()
        };
        assert_eq!(at("Keys", 13, 2), "Keys!C14");
        assert_eq!(at("Key storage", 0, 0), "'Key storage'!A1");
        assert_eq!(at("It's", 0, 27), "'It''s'!AB1");
        assert_eq!(Cell::letters(25), "Z");
        assert_eq!(Cell::letters(26), "AA");
        assert_eq!(Cell::letters(701), "ZZ");
        assert_eq!(Cell::letters(702), "AAA");
    }

    #[test]
    fn not_a_zip_is_refused_before_unpacking() {
        let err = read("x.xlsx", b"vendor: {name: A}\n".to_vec())
            .err()
            .unwrap();
        assert_eq!(err.code, Code::WorkbookUnreadable);
        assert!(err.message.contains("not a zip"), "{}", err.message);
    }

    /// A part whose headers declare a few bytes but which inflates past
    /// the limit: the declared sum passes, the counted unpacking refuses.
    #[test]
    fn a_part_that_inflates_past_what_it_declares_is_refused() {
        use std::io::Write;
        let mut out = Cursor::new(Vec::new());
        {
            let mut w = zip::ZipWriter::new(&mut out);
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            w.start_file("xl/worksheets/sheet1.xml", options).unwrap();
            let zeros = vec![0u8; 1 << 20];
            for _ in 0..(super::super::MAX_UNPACKED_BYTES >> 20) + 2 {
                w.write_all(&zeros).unwrap();
            }
            w.finish().unwrap();
        }
        let mut bytes = out.into_inner();
        assert!(bytes.len() < 1 << 20, "{}", bytes.len());
        // Forge the declared sizes, in the local header (offset 22) and in
        // the central directory (offset 24), down to 1,000 bytes.
        let small = 1000u32.to_le_bytes();
        bytes[22..26].copy_from_slice(&small);
        let cd = bytes
            .windows(4)
            .rposition(|w| w == [0x50, 0x4b, 0x01, 0x02])
            .unwrap();
        bytes[cd + 24..cd + 28].copy_from_slice(&small);
        assert_eq!(unpacked_size(&bytes), Some(1000));
        let err = match read("bomb.xlsx", bytes) {
            Err(e) => e,
            Ok(_) => panic!("a zip bomb was read"),
        };
        assert_eq!(err.code, Code::WorkbookUnreadable);
        // Refused while counting, before calamine unpacks the part whole:
        // by the count, or by the zip reader, which stops a part at its
        // declared size.
        assert!(
            err.message.contains("declares less")
                || err.message.contains("declared uncompressed size"),
            "{}",
            err.message
        );
    }

    #[test]
    fn declared_sizes_are_summed_from_the_central_directory() {
        let mut book = rust_xlsxwriter::Workbook::new();
        book.add_worksheet().write_string(0, 0, "x").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let size = unpacked_size(&bytes).unwrap();
        assert!(size > bytes.len() as u64 / 2 && size < 1_000_000, "{size}");
        // A central directory that claims more than the limit is refused.
        let mut forged = bytes.clone();
        let end = forged
            .windows(4)
            .rposition(|w| w == [0x50, 0x4b, 0x05, 0x06])
            .unwrap();
        let cd = u32::from_le_bytes(forged[end + 16..end + 20].try_into().unwrap()) as usize;
        forged[cd + 24..cd + 28].copy_from_slice(&u32::MAX.wrapping_sub(1).to_le_bytes());
        let big = unpacked_size(&forged).unwrap();
        assert!(big > super::super::MAX_UNPACKED_BYTES);
        let err = read("x.xlsx", forged).err().unwrap();
        assert!(err.message.contains("would unpack"), "{}", err.message);
    }
}

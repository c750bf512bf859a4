//! The one record reader of every import file (CONTRACT.md "Import files"), from any
//! [`Read`]: a file on disk or the bytes of an upload, streamed.
//!
//! - Encoding: UTF-8 (a leading BOM dropped) when the whole file is valid UTF-8,
//!   otherwise GB18030 (which includes GBK) through `encoding_rs`. [`detect`] decides
//!   with one pass over the bytes in chunks; the text is then decoded chunk by chunk
//!   while the csv reader asks for it (`text.rs`), so no file is ever held whole.
//! - Line numbers are physical: the line on which a record starts, the header being
//!   line 1, whatever the line ends (LF, CRLF, a lone CR) and however many line breaks
//!   quoted cells hold. Only the line ends of the text the csv reader has buffered
//!   are kept (`text::LineEnds`).
//! - Cells are trimmed; a cell with a control character is refused by line and field.

use std::io::{self, Read};
use std::path::{Path, PathBuf};

use super::{Collector, ImportErrors, LineError, Row};

mod text;

use text::{fill, Decoded, CHUNK, UNDECODABLE};

/// What an import reads, as many times as it needs (each pass opens it again):
/// the bytes of an upload, or a file.
pub trait Source: Send + Sync {
    fn open(&self) -> io::Result<Box<dyn Read + Send + '_>>;
}

impl Source for [u8] {
    fn open(&self) -> io::Result<Box<dyn Read + Send + '_>> {
        Ok(Box::new(self))
    }
}

impl Source for Vec<u8> {
    fn open(&self) -> io::Result<Box<dyn Read + Send + '_>> {
        self.as_slice().open()
    }
}

impl Source for Path {
    fn open(&self) -> io::Result<Box<dyn Read + Send + '_>> {
        Ok(Box::new(std::fs::File::open(self)?))
    }
}

impl Source for PathBuf {
    fn open(&self) -> io::Result<Box<dyn Read + Send + '_>> {
        self.as_path().open()
    }
}

/// The encoding of an import file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    /// GB18030 (and so GBK), what Excel on a Chinese Windows writes as "CSV".
    Gb18030,
}

/// Which encoding `r` is in: UTF-8 when every byte after a leading BOM is valid
/// UTF-8 (checked chunk by chunk), otherwise GB18030.
pub fn detect(r: impl Read) -> io::Result<Encoding> {
    detect_in_chunks(r, CHUNK)
}

fn detect_in_chunks(mut r: impl Read, chunk: usize) -> io::Result<Encoding> {
    // A sequence cut by the chunk's end (at most 3 bytes) is carried to the next one.
    // (A BOM is valid UTF-8 itself: it changes nothing here.)
    let mut buf = vec![0u8; chunk + 3];
    let mut carried = 0;
    loop {
        let n = fill(&mut r, &mut buf[carried..carried + chunk])?;
        if n == 0 {
            return Ok(if carried == 0 { Encoding::Utf8 } else { Encoding::Gb18030 });
        }
        match std::str::from_utf8(&buf[..carried + n]) {
            Ok(_) => carried = 0,
            Err(e) if e.error_len().is_none() => {
                let cut = e.valid_up_to();
                buf.copy_within(cut..carried + n, 0);
                carried = carried + n - cut;
            }
            Err(_) => return Ok(Encoding::Gb18030),
        }
    }
}

/// What the first record turned out to be.
enum First {
    /// The header (consumed), or nothing more to give.
    Nothing,
    /// A data line (a file without its header): `record` holds it.
    Record,
    /// It could not be read: said when the data lines are asked for.
    Error(csv::Error),
}

/// The data lines of an import file, one at a time.
pub struct Records<'s> {
    file: String,
    csv: csv::Reader<Decoded<Box<dyn Read + Send + 's>>>,
    record: csv::StringRecord,
    /// The fields as errors name them (the first header).
    header: Vec<&'static str>,
    first: First,
    done: bool,
}

impl<'s> Records<'s> {
    /// Open `src` (in `encoding`, from [`detect`]) as a file whose first line is one
    /// of `headers` — the same columns named in other languages, or with optional
    /// last columns; errors name the fields as the first header of the matched one's
    /// length does — or, unless `header_required`, may be missing (then the first
    /// line is data, named as the first header). A wrong or missing header is the
    /// file's one error.
    pub fn open(
        file: &str,
        src: &'s (impl Source + ?Sized),
        encoding: Encoding,
        headers: &[&[&'static str]],
        header_required: bool,
    ) -> Result<Self, ImportErrors> {
        let reader = src.open().map_err(|e| unreadable(file, 1, &e))?;
        let csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(CHUNK)
            .from_reader(Decoded::new(reader, encoding));
        let mut records = Records {
            file: file.to_owned(),
            csv,
            record: csv::StringRecord::new(),
            header: headers[0].to_vec(),
            first: First::Nothing,
            done: false,
        };
        let fail = |message: String| one_error(file, 1, message);
        let expected = headers.iter().map(|h| h.join(",")).collect::<Vec<_>>().join("` 或 `");
        match records.csv.read_record(&mut records.record) {
            Ok(false) => return Err(fail(format!("文件为空；第一行必须是：{expected}"))),
            Err(e) => {
                records.check_decoded()?;
                if header_required {
                    return Err(fail(format!("无法读取表头：{e}")));
                }
                records.first = First::Error(e);
            }
            Ok(true) => {
                let first = &records.record;
                if let Some(matched) = headers.iter().find(|h| first.iter().eq(h.iter().copied())) {
                    let named = headers.iter().find(|h| h.len() == matched.len()).unwrap_or(matched);
                    records.header = named.to_vec();
                } else {
                    if header_required {
                        let got: Vec<&str> = first.iter().collect();
                        return Err(fail(format!("表头必须是 `{expected}`，实际为 `{}`", got.join(","))));
                    }
                    records.first = First::Record;
                }
            }
        }
        Ok(records)
    }

    /// The next data line into `row` (its line and trimmed cells), `false` at the
    /// end. The lines' problems go to `c`: a line with the wrong number of cells is
    /// skipped, a cell with a control character named (its line still given), and a
    /// CSV format error ends the reading. `Err` only when the file cannot be read or
    /// decoded after all: that is the file's one error.
    pub fn next(&mut self, row: &mut Row, c: &mut Collector) -> Result<bool, ImportErrors> {
        loop {
            if self.done {
                return Ok(false);
            }
            match std::mem::replace(&mut self.first, First::Nothing) {
                First::Record => {}
                First::Error(e) => return self.format_error(e, c),
                First::Nothing => match self.csv.read_record(&mut self.record) {
                    Ok(true) => {}
                    Ok(false) => {
                        self.done = true;
                        return Ok(false);
                    }
                    Err(e) => return self.format_error(e, c),
                },
            }
            let rec = &self.record;
            let line = rec.position().map_or(0, |p| self.csv.get_mut().lines.at(p.byte()));
            if rec.len() == 1 && rec.get(0).is_some_and(|cell| cell.trim().is_empty()) {
                continue; // a blank line
            }
            if rec.len() != self.header.len() {
                c.add(line, None, format!("应有 {} 列，实际 {} 列", self.header.len(), rec.len()));
                continue;
            }
            row.line = line;
            row.cells.resize_with(rec.len(), String::new);
            for ((cell, field), out) in rec.iter().zip(&self.header).zip(&mut row.cells) {
                if let Err(message) = crate::input::check_text(cell) {
                    c.add(line, Some(field), message);
                }
                out.clear();
                out.push_str(cell.trim());
            }
            return Ok(true);
        }
    }

    /// A record that could not be read: the file's one error when it is not
    /// decodable or not readable, otherwise a CSV format error by line (the end).
    fn format_error(&mut self, e: csv::Error, c: &mut Collector) -> Result<bool, ImportErrors> {
        self.done = true;
        self.check_decoded()?;
        let line = e.position().map_or(0, |p| self.csv.get_mut().lines.at(p.byte()));
        if let csv::ErrorKind::Io(io) = e.kind() {
            return Err(unreadable(&self.file, line, io));
        }
        c.add(line, None, format!("CSV 格式错误：{e}"));
        Ok(false)
    }

    fn check_decoded(&self) -> Result<(), ImportErrors> {
        if self.csv.get_ref().undecodable {
            Err(one_error(&self.file, 1, UNDECODABLE.to_owned()))
        } else {
            Ok(())
        }
    }
}

fn one_error(file: &str, line: u64, message: String) -> ImportErrors {
    ImportErrors { file: file.to_owned(), errors: vec![LineError { line, field: None, message }] }
}

fn unreadable(file: &str, line: u64, e: &io::Error) -> ImportErrors {
    one_error(file, line, format!("无法读取文件：{e}"))
}

/// Every data line of `src` (see [`Records`]), or every problem found.
pub fn read_all(
    file: &str,
    src: &(impl Source + ?Sized),
    headers: &[&[&'static str]],
    header_required: bool,
) -> Result<Vec<Row>, ImportErrors> {
    let encoding = open_encoding(file, src)?;
    let mut records = Records::open(file, src, encoding, headers, header_required)?;
    let mut c = Collector::new();
    let mut rows = Vec::new();
    let mut row = Row::default();
    while records.next(&mut row, &mut c)? {
        rows.push(std::mem::take(&mut row));
    }
    c.finish(file, rows)
}

/// [`detect`] on `src`, a failure to read it being the file's one error.
pub fn open_encoding(file: &str, src: &(impl Source + ?Sized)) -> Result<Encoding, ImportErrors> {
    src.open().and_then(detect).map_err(|e| unreadable(file, 1, &e))
}

#[cfg(test)]
mod tests {
    use super::text::BOM;
    use super::*;

    /// A reader that gives at most `n` bytes a call (a file read in small pieces).
    struct Trickle<'a>(&'a [u8], usize);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(self.1).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn utf8_is_recognised_across_chunk_ends() {
        let text = "\u{feff}平台,店铺\n淘宝,旗舰店😀\r\n".repeat(50);
        for chunk in [1, 2, 3, 4, 5, 7, 64, 4096] {
            let got = detect_in_chunks(Trickle(text.as_bytes(), 3), chunk).unwrap();
            assert_eq!(got, Encoding::Utf8, "chunk {chunk}");
        }
        let (gbk, _, _) = encoding_rs::GBK.encode(&text[3..]);
        for chunk in [1, 2, 3, 5, 64, 4096] {
            assert_eq!(detect_in_chunks(&gbk[..], chunk).unwrap(), Encoding::Gb18030, "chunk {chunk}");
        }
        // A sequence cut off by the end of the file is not UTF-8.
        assert_eq!(detect_in_chunks(&"ab平".as_bytes()[..4], 2).unwrap(), Encoding::Gb18030);
        assert_eq!(detect(&b""[..]).unwrap(), Encoding::Utf8);
        assert_eq!(detect(BOM).unwrap(), Encoding::Utf8);
        assert_eq!(detect(&BOM[..2]).unwrap(), Encoding::Gb18030);
    }

    #[test]
    fn a_bad_gb18030_sequence_is_the_files_one_error() {
        let mut text = b"a,b\n1,2\n".to_vec();
        text.extend_from_slice(&[0x81, 0x20, b'\n']);
        let err = read_all("f.csv", &text, &[&["a", "b"]], true).unwrap_err();
        assert_eq!(err.errors.len(), 1, "{err}");
        assert_eq!(err.errors[0].line, 1);
        assert!(err.errors[0].message.contains("文件编码无法识别"), "{err}");
    }

    #[test]
    fn long_files_keep_their_line_numbers_across_chunks() {
        // Lines of every ending across many chunks of text, GB18030 and UTF-8.
        let mut text = String::from("a,b\r\n");
        for i in 0..20_000 {
            let end = ["\n", "\r\n", "\r"][i % 3];
            if i % 1000 == 999 {
                text.push_str(&format!("{i},\"多行\r\n单元格\"{end}"));
            } else {
                text.push_str(&format!("{i},第 {i} 行{end}"));
            }
        }
        let (gbk, _, _) = encoding_rs::GBK.encode(&text);
        for bytes in [text.as_bytes(), &gbk[..]] {
            let rows = read_all("f.csv", bytes, &[&["a", "b"]], true).unwrap();
            assert_eq!(rows.len(), 20_000);
            let mut line = 2;
            for (i, row) in rows.iter().enumerate() {
                assert_eq!(row.line, line, "row {i}");
                assert_eq!(row.cells[0], i.to_string());
                line += if i % 1000 == 999 { 2 } else { 1 };
            }
        }
    }
}

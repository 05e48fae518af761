//! The reading thread: CSV read and checked on a blocking thread, in batches, with line
//! numbers as people count them.

use super::BATCH;
use crate::import::{RowProblem, UnitColumns, UnitRow};
use crate::store::today;
use std::io::Read;

/// What the reading thread sends: checked rows, or the file's own problem.
pub(super) enum Reading {
    Rows(Vec<Result<UnitRow, RowProblem>>),
    Fatal(RowProblem),
}

/// Line numbers as people count them: 1 + the line feeds before a row's first character, the
/// same for LF and CRLF files, blank lines and quoted fields that span lines. The csv crate's
/// own count is one short in CRLF files, and its record offsets point at the line break that
/// ends the record before, blank lines included; so the breaks after that offset are skipped
/// here. Only the breaks in what the CSV reader holds unread are kept: memory does not grow
/// with the file.
#[derive(Clone, Default)]
pub(super) struct Lines(std::rc::Rc<std::cell::RefCell<LineBreaks>>);

#[derive(Default)]
pub(super) struct LineBreaks {
    /// Bytes read so far.
    pub(super) read: u64,
    /// Offsets of the `\r` and `\n` bytes not yet passed by [`Lines::line_at`], with whether
    /// each is a line feed.
    pub(super) ahead: std::collections::VecDeque<(u64, bool)>,
    /// Line feeds passed.
    pub(super) feeds: u64,
}

impl Lines {
    /// The line of the row the csv crate says starts at byte `offset` (asked in order).
    pub(super) fn line_at(&self, offset: u64) -> u64 {
        let mut breaks = self.0.borrow_mut();
        let mut next = offset;
        while let Some(&(at, feed)) = breaks.ahead.front() {
            if at > next {
                break;
            }
            if at == next {
                next += 1; // a break right at the row's offset: the row starts after it
            }
            breaks.feeds += u64::from(feed);
            breaks.ahead.pop_front();
        }
        breaks.feeds + 1
    }

    pub(super) fn counting<R: Read>(&self, input: R) -> CountLines<R> {
        CountLines {
            input,
            lines: self.clone(),
        }
    }
}

/// A reader that notes where each line break is.
pub(super) struct CountLines<R> {
    pub(super) input: R,
    pub(super) lines: Lines,
}

impl<R: Read> Read for CountLines<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.input.read(buf)?;
        let mut breaks = self.lines.0.borrow_mut();
        let start = breaks.read;
        for (i, byte) in buf[..n].iter().enumerate() {
            if matches!(byte, b'\r' | b'\n') {
                breaks.ahead.push_back((start + i as u64, *byte == b'\n'));
            }
        }
        breaks.read += n as u64;
        Ok(n)
    }
}

/// Reads `input` as CSV on a blocking thread, in batches.
pub(super) fn spawn_reader<R: Read + Send + 'static>(
    input: R,
) -> tokio::sync::mpsc::Receiver<Reading> {
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    tokio::task::spawn_blocking(move || {
        let lines = Lines::default();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(lines.counting(input));
        let mut record = csv::ByteRecord::new();
        let columns = match reader.read_byte_record(&mut record) {
            Ok(true) => {
                let header: Vec<String> = record
                    .iter()
                    .map(|f| String::from_utf8_lossy(f).into_owned())
                    .collect();
                let names: Vec<&str> = header.iter().map(String::as_str).collect();
                match UnitColumns::from_header(&names) {
                    Ok(columns) => (columns, header),
                    Err(problem) => {
                        let _ = tx.blocking_send(Reading::Fatal(problem));
                        return;
                    }
                }
            }
            Ok(false) => {
                let _ = tx.blocking_send(Reading::Fatal(RowProblem::new(
                    1,
                    "header",
                    "the file is empty",
                )));
                return;
            }
            Err(error) => {
                let _ = tx.blocking_send(Reading::Fatal(RowProblem::new(
                    1,
                    "header",
                    error.to_string(),
                )));
                return;
            }
        };
        let (columns, header) = columns;
        let today = today();
        let mut batch = Vec::with_capacity(BATCH);
        loop {
            match reader.read_byte_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(error) => {
                    let line = error.position().map_or(0, |p| lines.line_at(p.byte()));
                    if matches!(error.kind(), csv::ErrorKind::Io(_)) {
                        let _ = tx.blocking_send(Reading::Fatal(RowProblem::new(
                            line,
                            "file",
                            format!("could not be read: {error}"),
                        )));
                        return;
                    }
                    batch.push(Err(RowProblem::new(line, "row", error.to_string())));
                    continue;
                }
            }
            let line = record.position().map_or(0, |p| lines.line_at(p.byte()));
            if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
                continue; // blank line
            }
            let mut fields = Vec::with_capacity(record.len());
            let mut bad = None;
            for (i, field) in record.iter().enumerate() {
                match std::str::from_utf8(field) {
                    Ok(text) => fields.push(text),
                    Err(_) => {
                        let column = header.get(i).map_or("row", String::as_str);
                        bad = Some(RowProblem::new(line, column, "is not valid UTF-8 text"));
                        break;
                    }
                }
            }
            batch.push(match bad {
                Some(problem) => Err(problem),
                None => UnitRow::parse(line, &columns, &fields, today),
            });
            if batch.len() == BATCH {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                if tx.blocking_send(Reading::Rows(full)).is_err() {
                    return;
                }
            }
        }
        if !batch.is_empty() {
            let _ = tx.blocking_send(Reading::Rows(batch));
        }
    });
    rx
}

#[cfg(test)]
mod tests {
    use super::{Reading, spawn_reader};

    /// The line of each row's problem, reading `file`.
    async fn problem_lines(file: &str) -> Vec<u64> {
        let mut rx = spawn_reader(std::io::Cursor::new(file.as_bytes().to_vec()));
        let mut lines = Vec::new();
        while let Some(reading) = rx.recv().await {
            match reading {
                Reading::Rows(rows) => {
                    lines.extend(rows.into_iter().filter_map(|row| row.err()).map(|p| p.line))
                }
                Reading::Fatal(problem) => panic!("{problem}"),
            }
        }
        lines
    }

    #[tokio::test]
    async fn lines_are_counted_alike_for_lf_crlf_and_quoted_line_breaks() {
        let header = "manufacturer,model,serial,lot,manufactured_on,sold_on,warranty_months";
        // Lines 2 and 5 have no serial; the row on line 3 has a model that spans two lines (a
        // quoted line break, refused as a control character).
        let rows = [
            "Acme,M1,,,,,",
            "Acme,\"two\nline model\",A1,,,,",
            "Acme,M1,,,,,",
        ];
        let lf = format!("{header}\n{}\n", rows.join("\n"));
        let crlf = lf.replace('\n', "\r\n");
        assert_eq!(problem_lines(&lf).await, vec![2, 3, 5]);
        assert_eq!(problem_lines(&crlf).await, vec![2, 3, 5]);
        // A file without a final line break, and blank lines between rows.
        let ragged = format!("{header}\r\n\r\n{}\r\n\r\n{}", rows[0], rows[2]);
        assert_eq!(problem_lines(&ragged).await, vec![3, 5]);
    }
}

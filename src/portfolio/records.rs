//! Lists that may be longer than memory should hold: the register, the
//! actions and the invalid manifests of a portfolio.
//!
//! A [`RecordWriter`] keeps the encoded records in memory up to
//! [`MEMORY_BYTES`], then moves them to a temporary file and appends there;
//! the [`Records`] it finishes into can be read any number of times, each
//! read from the start with its own cursor. A portfolio of a few hundred
//! manifests never touches the disk; one of 100,000 holds a megabyte of
//! each list at most.
//!
//! Actions are listed in an order of their own (overdue first, then by due
//! date), not the order manifests finish in, so they go through a
//! [`Sorter`]: sorted runs of bounded size, spilled, then merged.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::fmt;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::marker::PhantomData;
use std::sync::Arc;

use serde::{Serialize, Serializer};

use crate::codec::{self, Record};

/// Encoded bytes a list keeps in memory before it moves to a file.
pub const MEMORY_BYTES: usize = 1 << 20;

/// Records that a sorter keeps in memory before it sorts and spills them.
pub const RUN_RECORDS: usize = 16_384;

/// Runs merged at once: each open run holds a file and a read buffer.
const FAN_IN: usize = 64;

enum Store {
    Memory(Arc<[u8]>),
    File(Arc<tempfile::NamedTempFile>),
}

impl Clone for Store {
    fn clone(&self) -> Self {
        match self {
            Store::Memory(b) => Store::Memory(Arc::clone(b)),
            Store::File(f) => Store::File(Arc::clone(f)),
        }
    }
}

/// A finished list of records, in the order they were written.
pub struct Records<T> {
    store: Store,
    len: usize,
    // `fn() -> T`: the list holds bytes, not `T`s, so it is `Send` and
    // `Sync` whatever `T` is.
    _t: PhantomData<fn() -> T>,
}

impl<T> Clone for Records<T> {
    fn clone(&self) -> Self {
        Records {
            store: self.store.clone(),
            len: self.len,
            _t: PhantomData,
        }
    }
}

impl<T> fmt::Debug for Records<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let place = match self.store {
            Store::Memory(_) => "in memory",
            Store::File(_) => "in a temporary file",
        };
        write!(f, "Records({} {place})", self.len)
    }
}

impl<T: Record> Records<T> {
    /// An empty list.
    pub fn empty() -> Records<T> {
        Records {
            store: Store::Memory(Arc::from(Vec::new())),
            len: 0,
            _t: PhantomData,
        }
    }

    /// A list of `items`, in their order.
    pub fn from_vec(items: Vec<T>) -> io::Result<Records<T>> {
        let mut w = RecordWriter::new();
        for x in &items {
            w.push(x)?;
        }
        w.finish()
    }

    /// How many records.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Reads the records from the start. Reading fails only if the
    /// temporary file does (it is the program's own, so its bytes decode).
    pub fn iter(&self) -> Iter<T> {
        let source = match &self.store {
            Store::Memory(b) => Ok(Source::Memory(Arc::clone(b), 0)),
            Store::File(f) => f.reopen().map(|f| Source::File(BufReader::new(f))),
        };
        match source {
            Ok(source) => Iter {
                source,
                failed: None,
                buf: Vec::new(),
                remaining: self.len,
                _t: PhantomData,
            },
            Err(e) => Iter {
                source: Source::Memory(Arc::from(Vec::new()), 0),
                failed: Some(e),
                buf: Vec::new(),
                remaining: self.len,
                _t: PhantomData,
            },
        }
    }

    /// Every record, in memory: for tests and small lists only.
    pub fn to_vec(&self) -> io::Result<Vec<T>> {
        self.iter().collect()
    }
}

enum Source {
    Memory(Arc<[u8]>, usize),
    File(BufReader<File>),
}

impl Source {
    fn read_exact(&mut self, out: &mut [u8]) -> io::Result<()> {
        match self {
            Source::Memory(bytes, at) => {
                let end = *at + out.len();
                let src = bytes
                    .get(*at..end)
                    .ok_or_else(|| io::Error::from(io::ErrorKind::UnexpectedEof))?;
                out.copy_from_slice(src);
                *at = end;
                Ok(())
            }
            Source::File(r) => r.read_exact(out),
        }
    }
}

/// Reads a [`Records`] from the start.
pub struct Iter<T> {
    source: Source,
    failed: Option<io::Error>,
    buf: Vec<u8>,
    remaining: usize,
    _t: PhantomData<fn() -> T>,
}

impl<T: Record> Iter<T> {
    fn read(&mut self) -> io::Result<T> {
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        let mut len = [0; 4];
        self.source.read_exact(&mut len)?;
        self.buf.resize(u32::from_le_bytes(len) as usize, 0);
        self.source.read_exact(&mut self.buf)?;
        codec::from_bytes(&self.buf).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
    }
}

impl<T: Record> Iterator for Iter<T> {
    type Item = io::Result<T>;

    fn next(&mut self) -> Option<io::Result<T>> {
        if self.remaining == 0 {
            return None;
        }
        let r = self.read();
        // After a failure the list ends: what follows cannot be found.
        self.remaining = if r.is_ok() { self.remaining - 1 } else { 0 };
        Some(r)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

/// Writes a [`Records`], in memory first, then in a temporary file.
pub struct RecordWriter<T> {
    mem: Vec<u8>,
    file: Option<BufWriter<tempfile::NamedTempFile>>,
    len: usize,
    _t: PhantomData<fn() -> T>,
}

impl<T: Record> Default for RecordWriter<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Record> RecordWriter<T> {
    /// An empty list.
    pub fn new() -> RecordWriter<T> {
        RecordWriter {
            mem: Vec::new(),
            file: None,
            len: 0,
            _t: PhantomData,
        }
    }

    /// Appends `record`.
    pub fn push(&mut self, record: &T) -> io::Result<()> {
        let start = self.mem.len();
        self.mem.extend_from_slice(&[0; 4]);
        record.encode(&mut self.mem);
        let n = u32::try_from(self.mem.len() - start - 4).expect("a record under 4 GiB");
        self.mem[start..start + 4].copy_from_slice(&n.to_le_bytes());
        self.len += 1;
        if self.mem.len() >= MEMORY_BYTES {
            if self.file.is_none() {
                self.file = Some(BufWriter::new(tempfile::NamedTempFile::new()?));
            }
            if let Some(f) = &mut self.file {
                f.write_all(&self.mem)?;
            }
            self.mem.clear();
        }
        Ok(())
    }

    /// The list as written.
    pub fn finish(self) -> io::Result<Records<T>> {
        let store = match self.file {
            None => Store::Memory(Arc::from(self.mem)),
            Some(mut f) => {
                f.write_all(&self.mem)?;
                let f = f.into_inner().map_err(|e| e.into_error())?;
                Store::File(Arc::new(f))
            }
        };
        Ok(Records {
            store,
            len: self.len,
            _t: PhantomData,
        })
    }
}

/// Sorts records that arrive one at a time, stably, in bounded memory:
/// runs of [`RUN_RECORDS`] are sorted and spilled, and merged at the end.
pub struct Sorter<T> {
    order: fn(&T, &T) -> Ordering,
    run: Vec<T>,
    runs: Vec<Records<T>>,
}

impl<T: Record> Sorter<T> {
    /// An empty sorter by `order`.
    pub fn new(order: fn(&T, &T) -> Ordering) -> Sorter<T> {
        Sorter {
            order,
            run: Vec::new(),
            runs: Vec::new(),
        }
    }

    /// Adds `record`.
    pub fn push(&mut self, record: T) -> io::Result<()> {
        self.run.push(record);
        if self.run.len() >= RUN_RECORDS {
            self.spill()?;
        }
        Ok(())
    }

    fn spill(&mut self) -> io::Result<()> {
        let mut run = std::mem::take(&mut self.run);
        // Stable: equal records keep the order they came in.
        run.sort_by(self.order);
        self.runs.push(Records::from_vec(run)?);
        Ok(())
    }

    /// Everything added, in order; records that compare equal keep the
    /// order they were added in.
    pub fn finish(mut self) -> io::Result<Records<T>> {
        if self.runs.is_empty() {
            self.run.sort_by(self.order);
            return Records::from_vec(self.run);
        }
        if !self.run.is_empty() {
            self.spill()?;
        }
        // Merge FAN_IN runs at a time; the merged run takes the place of
        // the first, so runs stay in the order their records came in.
        while self.runs.len() > 1 {
            let mut merged = Vec::new();
            for group in self.runs.chunks(FAN_IN) {
                merged.push(merge(group, self.order)?);
            }
            self.runs = merged;
        }
        Ok(self.runs.pop().unwrap_or_else(Records::empty))
    }
}

/// One run's next record, ordered for a min-heap; ties go to the earlier
/// run, which makes the merge stable.
struct Head<T> {
    record: T,
    run: usize,
    order: fn(&T, &T) -> Ordering,
}

impl<T> Ord for Head<T> {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.order)(&other.record, &self.record).then_with(|| other.run.cmp(&self.run))
    }
}

impl<T> PartialOrd for Head<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<T> PartialEq for Head<T> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl<T> Eq for Head<T> {}

fn merge<T: Record>(runs: &[Records<T>], order: fn(&T, &T) -> Ordering) -> io::Result<Records<T>> {
    if let [one] = runs {
        return Ok(one.clone());
    }
    let mut iters: Vec<Iter<T>> = runs.iter().map(Records::iter).collect();
    let mut heap = BinaryHeap::with_capacity(iters.len());
    for (run, it) in iters.iter_mut().enumerate() {
        if let Some(record) = it.next().transpose()? {
            heap.push(Head { record, run, order });
        }
    }
    let mut out = RecordWriter::new();
    while let Some(Head { record, run, .. }) = heap.pop() {
        out.push(&record)?;
        if let Some(next) = iters[run].next().transpose()? {
            heap.push(Head {
                record: next,
                run,
                order,
            });
        }
    }
    out.finish()
}

impl<T: Record + Serialize + 'static> Serialize for Records<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeSeq};
        // A template gets a list it reads as it goes, not a copy of every
        // record (minijinja converts a context through serde, and keeps a
        // value it is handed this way as it is).
        if minijinja::value::serializing_for_value() {
            return minijinja::Value::from_object(Lazy(self.clone())).serialize(s);
        }
        let mut seq = s.serialize_seq(Some(self.len))?;
        for record in self.iter() {
            seq.serialize_element(&record.map_err(S::Error::custom)?)?;
        }
        seq.end()
    }
}

/// A [`Records`] as a template sees it: a list, read from the start each
/// time the template walks it.
struct Lazy<T>(Records<T>);

impl<T> fmt::Debug for Lazy<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<T: Record + Serialize + 'static> minijinja::value::Object for Lazy<T> {
    fn repr(self: &Arc<Self>) -> minijinja::value::ObjectRepr {
        minijinja::value::ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &minijinja::Value) -> Option<minijinja::Value> {
        // Templates walk these lists; indexing one (rare) reads up to the
        // record asked for.
        let index = usize::try_from(key.as_i64()?).ok()?;
        self.0.iter().nth(index).map(to_value)
    }

    fn enumerate(self: &Arc<Self>) -> minijinja::value::Enumerator {
        minijinja::value::Enumerator::Iter(Box::new(self.0.iter().map(to_value)))
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        Some(self.0.len())
    }
}

fn to_value<T: Serialize>(record: io::Result<T>) -> minijinja::Value {
    match record {
        Ok(r) => minijinja::Value::from(minijinja::value::Serde(r)),
        // An invalid value ends the template's loop with this error.
        Err(e) => minijinja::Value::from(minijinja::Error::new(
            minijinja::ErrorKind::InvalidOperation,
            format!("cannot read the portfolio's temporary file: {e}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{Code, Diagnostic, Pos};
    use crate::portfolio::Invalid;

    fn invalid(i: usize) -> Invalid {
        Invalid {
            file: format!("{:08}", i / 3),
            diagnostics: vec![Diagnostic::error(
                Code::UnknownQuestion,
                "f",
                Pos::START,
                format!("{i} {}", "x".repeat(i % 300)),
            )],
        }
    }

    #[test]
    fn a_long_list_moves_to_a_file_and_reads_back_twice() {
        let mut w = RecordWriter::new();
        let n = 20_000;
        for i in 0..n {
            w.push(&invalid(i)).unwrap();
        }
        let r = w.finish().unwrap();
        assert!(matches!(r.store, Store::File(_)), "{r:?}");
        assert_eq!(r.len(), n);
        // Two readers at once, each with its own cursor.
        let mut a = r.iter();
        let mut b = r.iter();
        assert_eq!(a.next().unwrap().unwrap().file, "00000000");
        for i in 0..n {
            let x = b.next().unwrap().unwrap();
            assert_eq!(x.diagnostics[0].message, invalid(i).diagnostics[0].message);
        }
        assert!(b.next().is_none());
        assert_eq!(a.count(), n - 1);
    }

    #[test]
    fn sorting_in_runs_is_a_stable_sort() {
        fn order(a: &Invalid, b: &Invalid) -> Ordering {
            b.file.cmp(&a.file)
        }
        for n in [0, 5, RUN_RECORDS, RUN_RECORDS * 3 + 17] {
            let mut s = Sorter::new(order);
            let mut all = Vec::new();
            for i in 0..n {
                // Scramble the keys; three records share each key.
                let x = invalid((i * 7919) % n.max(1));
                all.push(x.clone());
                s.push(x).unwrap();
            }
            all.sort_by(order);
            let sorted = s.finish().unwrap().to_vec().unwrap();
            assert_eq!(sorted.len(), n);
            for (x, y) in sorted.iter().zip(&all) {
                assert_eq!((&x.file, &x.diagnostics), (&y.file, &y.diagnostics));
            }
        }
    }

    #[test]
    fn a_damaged_file_is_an_error_not_a_record() {
        let mut w = RecordWriter::new();
        for i in 0..10_000 {
            w.push(&invalid(i)).unwrap();
        }
        let r = w.finish().unwrap();
        let Store::File(f) = &r.store else {
            panic!("in memory")
        };
        // Cut the file short in the middle of a record.
        let len = f.as_file().metadata().unwrap().len();
        f.as_file().set_len(len / 2).unwrap();
        let results: Vec<io::Result<Invalid>> = r.iter().collect();
        assert!(results.len() < 10_000);
        assert!(results.last().unwrap().is_err());
    }
}

//! SQLite reads on the request's own thread, for the few statements that every page load
//! or its first call runs: the session lookup, Home's cards and the results list.
//!
//! Why: sqlx runs each SQLite connection on a thread of its own. A statement is handed to
//! that thread and its rows handed back, and a pooled connection is pinged (another hand-off)
//! when it goes back to the pool. On this two-core machine those thread switches were most of
//! a request's cost: Home took 629 µs of server CPU and 20 context switches a request, and
//! the sign-in check alone (`auth/me`, one statement) 281 µs (issue 13's closing note has
//! the runs). Here the statement runs where the request is, with no hand-off.
//!
//! What may run here: small statements that use an index and read a bounded number of rows
//! (tens of microseconds), because they hold the async worker thread while they run. Larger
//! reads stay on sqlx. Writes never come here: the connections are `query_only`, and the
//! one writer stays sqlx's (SQLite allows one writer at a time).
//!
//! The SQL text is the same that sqlx runs on PostgreSQL, `$1`-style placeholders included
//! (SQLite reads `$1` as a parameter named "$1", bound here by that name).
use std::{
    path::{Path, PathBuf},
    sync::Mutex,
    time::Duration,
};

use rusqlite::{types::ToSql, Connection, OpenFlags, Row};

/// Connections kept open between requests (more are opened when more requests read at
/// once, and closed after).
const IDLE_KEPT: usize = 4;
/// How long a read waits for a lock before it fails. In WAL mode a reader waits only in
/// rare moments (a checkpoint restarting the log), and it holds an async worker meanwhile.
const BUSY_TIMEOUT: Duration = Duration::from_millis(250);
/// The placeholders a statement here may use, in order.
const PLACEHOLDERS: [&str; 8] = ["$1", "$2", "$3", "$4", "$5", "$6", "$7", "$8"];

#[derive(Debug)]
pub struct InlineReads {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl InlineReads {
    /// Reads the database file at `path`, which sqlx has opened (and created if need be).
    pub fn open(path: &Path) -> Result<InlineReads, sqlx::Error> {
        let reads = InlineReads { path: path.to_owned(), idle: Mutex::new(Vec::new()) };
        // Fail at start-up, not on the first request.
        let first = reads.connect().map_err(failed)?;
        reads.put_back(first);
        Ok(reads)
    }

    /// Every row of `sql` with `args` bound to `$1`, `$2`…, each made into a `T` by `row`.
    pub fn fetch_all<T>(
        &self,
        sql: &str,
        args: &[&dyn ToSql],
        mut row: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>, sqlx::Error> {
        self.with_connection(|conn| {
            let mut statement = conn.prepare_cached(sql)?;
            bind(&mut statement, args)?;
            let mut rows = statement.raw_query();
            let mut all = Vec::new();
            while let Some(next) = rows.next()? {
                all.push(row(next)?);
            }
            Ok(all)
        })
    }

    /// The first row of `sql`, if any (see `fetch_all`).
    pub fn fetch_optional<T>(
        &self,
        sql: &str,
        args: &[&dyn ToSql],
        row: impl FnOnce(&Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Option<T>, sqlx::Error> {
        self.with_connection(|conn| {
            let mut statement = conn.prepare_cached(sql)?;
            bind(&mut statement, args)?;
            let mut rows = statement.raw_query();
            rows.next()?.map(row).transpose()
        })
    }

    fn with_connection<T>(
        &self,
        read: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T, sqlx::Error> {
        let conn = match self.idle.lock().ok().and_then(|mut idle| idle.pop()) {
            Some(conn) => conn,
            None => self.connect().map_err(failed)?,
        };
        let answer = read(&conn);
        // A statement that failed leaves nothing open (each read is its own transaction),
        // so the connection is kept either way.
        self.put_back(conn);
        answer.map_err(failed)
    }

    fn connect(&self) -> rusqlite::Result<Connection> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&self.path, flags)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // Read-write so that it can share the WAL index with the writer, but it never writes.
        conn.pragma_update(None, "query_only", true)?;
        conn.set_prepared_statement_cache_capacity(32);
        Ok(conn)
    }

    fn put_back(&self, conn: Connection) {
        if let Ok(mut idle) = self.idle.lock() {
            if idle.len() < IDLE_KEPT {
                idle.push(conn);
            }
        }
    }
}

/// `Type { field, … }` with each field read from the row's column of the same name (for a
/// `from_inline_row`, in a function that returns `rusqlite::Result`); fields after `;` are
/// taken from variables of their name, already converted.
macro_rules! from_columns {
    ($row:expr => $type:ident { $($field:ident),* $(,)? $(; $($given:ident),* $(,)?)? }) => {
        $type { $($field: $row.get(stringify!($field))?,)* $($($given,)*)? }
    };
}
pub(crate) use from_columns;

/// Binds `args` to `$1`, `$2`… by name (a statement may use them in any order, and more
/// than once), and refuses a statement with a placeholder left unbound.
fn bind(statement: &mut rusqlite::Statement<'_>, args: &[&dyn ToSql]) -> rusqlite::Result<()> {
    let mut bound = 0;
    for (name, arg) in PLACEHOLDERS.iter().zip(args) {
        if let Some(index) = statement.parameter_index(name)? {
            statement.raw_bind_parameter(index, arg)?;
            bound += 1;
        }
    }
    if bound != statement.parameter_count() || args.len() > PLACEHOLDERS.len() {
        return Err(rusqlite::Error::InvalidParameterCount(bound, statement.parameter_count()));
    }
    Ok(())
}

fn failed(error: rusqlite::Error) -> sqlx::Error {
    sqlx::Error::Io(std::io::Error::other(format!("SQLite read: {error}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn database() -> (scratch::Dir, InlineReads) {
        let dir = scratch::Dir::new();
        let path = dir.0.join("t.db");
        let setup = Connection::open(&path).unwrap();
        setup
            .execute_batch(
                "PRAGMA journal_mode = WAL; CREATE TABLE t (id INTEGER, name TEXT);
                 INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c');",
            )
            .unwrap();
        (dir, InlineReads::open(&path).unwrap())
    }

    #[test]
    fn placeholders_are_bound_by_number_whatever_their_order() {
        let (_dir, reads) = database();
        let sql = "SELECT name FROM t WHERE id >= $2 AND name <> $1 ORDER BY id";
        let names = reads.fetch_all(sql, &[&"b", &1_i64], |row| row.get::<_, String>(0)).unwrap();
        assert_eq!(names, ["a", "c"]);
    }

    #[test]
    fn a_placeholder_left_unbound_is_an_error_not_a_null() {
        let (_dir, reads) = database();
        let sql = "SELECT name FROM t WHERE id = $1 OR id = $2";
        assert!(reads.fetch_all(sql, &[&1_i64], |row| row.get::<_, String>(0)).is_err());
        assert_eq!(
            reads.fetch_optional(sql, &[&1_i64, &3_i64], |row| row.get::<_, String>(0)).unwrap(),
            Some("a".into())
        );
    }

    #[test]
    fn it_never_writes() {
        let (_dir, reads) = database();
        let written = reads.fetch_all("DELETE FROM t RETURNING id", &[], |row| row.get::<_, i64>(0));
        assert!(written.is_err());
        let left = reads.fetch_all("SELECT id FROM t", &[], |row| row.get::<_, i64>(0)).unwrap();
        assert_eq!(left.len(), 3);
    }

    /// A directory of its own for each test, removed when dropped.
    mod scratch {
        pub struct Dir(pub std::path::PathBuf);
        impl Dir {
            pub fn new() -> Dir {
                let unique =
                    format!("portico-inline-{}-{:?}", std::process::id(), std::thread::current().id());
                let path = std::env::temp_dir().join(unique.replace(['(', ')'], ""));
                std::fs::create_dir_all(&path).unwrap();
                Dir(path)
            }
        }
        impl Drop for Dir {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }
    }
}

//! How the delivery log answers a free-text search. The search index (`attempt_search`, FTS5)
//! holds each attempt's event identifier plus two scope tokens; a search first counts its
//! candidates within the view's scope there, then either fetches them by id or, when they are
//! many, lets the log query walk its sort index and check each row.

use crate::attempts::AttemptScope;
use rusqlite::{params, Connection, Transaction};

/// Up to this many search matches in scope are fetched by id and sorted; above it, the query
/// walks the sort order's index and checks each row, which then finds a page quickly because
/// matches are common. Either way a page costs at most a few thousand row reads.
const SEARCH_FETCH_LIMIT: usize = 1_000;

pub(crate) enum SearchPlan {
    Nothing,
    FetchIds(Vec<i64>),
    WalkIndex,
}

/// Decides how to answer a search from how many rows of the scope match it.
pub(crate) fn plan_search(
    conn: &Connection,
    text: &str,
    scope: AttemptScope<'_>,
) -> rusqlite::Result<SearchPlan> {
    let Some(words) = fts_query(text) else {
        // Nothing indexable (only punctuation): check every row of the scope.
        return Ok(SearchPlan::WalkIndex);
    };
    let ids: Vec<i64> = conn
        .prepare_cached("SELECT rowid FROM attempt_search WHERE attempt_search MATCH ?1 LIMIT ?2")?
        .query_map(
            params![
                format!("{words} \"{}\"", scope_token(scope)),
                SEARCH_FETCH_LIMIT as i64 + 1
            ],
            |row| row.get(0),
        )?
        .collect::<Result<_, _>>()?;
    Ok(match ids.len() {
        0 => SearchPlan::Nothing,
        n if n > SEARCH_FETCH_LIMIT => SearchPlan::WalkIndex,
        _ => SearchPlan::FetchIds(ids),
    })
}

/// The search-index token naming a scope: `e<environment id>` or `c<connection id without its
/// underscore>`, one word each for the index's tokenizer (connection ids are `con_<hex>`).
/// [`DOCUMENT`] builds the same tokens in SQL.
pub(crate) fn scope_token(scope: AttemptScope<'_>) -> String {
    match scope {
        AttemptScope::Environment(id) => format!("e{id}"),
        AttemptScope::Connection(id) => format!("c{}", id.replace('_', "")),
    }
}

/// An attempt's search document: its event identifier and the tokens of both its scopes.
const DOCUMENT: &str =
    "event_identifier || ' e' || environment_id || ' c' || replace(connection_id, '_', '')";

/// Adds every attempt with an id above `id` to the search index, in one statement.
pub(crate) fn index_attempts_after(tx: &Transaction<'_>, id: i64) -> rusqlite::Result<()> {
    tx.prepare_cached(&format!(
        "INSERT INTO attempt_search (rowid, event_identifier)
         SELECT id, {DOCUMENT} FROM delivery_attempts WHERE id > ?1"
    ))?
    .execute([id])?;
    Ok(())
}

/// Switches the search index to bulk writing: FTS5 buffers entries up to `hashsize` bytes
/// (it also writes them out at the end of each statement) and normally merges segments as they
/// accumulate. A bulk load writes large segments and leaves them unmerged, and
/// [`finish_bulk_writes`] merges everything once.
pub(crate) fn begin_bulk_writes(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    configure(
        tx,
        &[
            ("hashsize", 256 << 20),
            ("automerge", 0),
            ("crisismerge", 1_000),
        ],
    )
}

/// Back to FTS5's defaults, with the index merged into one segment: the fewest segments to
/// walk for every search that follows.
pub(crate) fn finish_bulk_writes(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    configure(
        tx,
        &[("hashsize", 1 << 20), ("automerge", 4), ("crisismerge", 16)],
    )?;
    tx.execute_batch("INSERT INTO attempt_search (attempt_search) VALUES ('optimize')")
}

fn configure(tx: &Transaction<'_>, settings: &[(&str, i64)]) -> rusqlite::Result<()> {
    let mut set =
        tx.prepare_cached("INSERT INTO attempt_search (attempt_search, rank) VALUES (?1, ?2)")?;
    for (name, value) in settings {
        set.execute(params![name, value])?;
    }
    Ok(())
}

/// The longest prefix the search index keeps an entry for (`prefix = '2 3 4'` in the schema).
const INDEXED_PREFIX: usize = 4;

/// An FTS5 query for the alphanumeric runs of `search`: every run but the last must be a whole
/// word, and the last may be the start of one (it is what the operator is still typing). The
/// last is looked up by at most its first four characters, which the index holds as one entry;
/// a longer prefix would make FTS5 merge the doclists of every word starting with it. The
/// caller checks each candidate for the full text, so the shorter prefix only widens the
/// candidates. Quoting every run keeps user text from being read as FTS5 syntax. None when
/// `search` has no such run.
fn fts_query(search: &str) -> Option<String> {
    let words: Vec<&str> = search
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let (last, whole) = words.split_last()?;
    let mut query: Vec<String> = whole.iter().map(|w| format!("\"{w}\"")).collect();
    let prefix: String = last.chars().take(INDEXED_PREFIX).collect();
    query.push(format!("\"{prefix}\"*"));
    Some(query.join(" "))
}

#[cfg(test)]
mod tests {
    use super::fts_query;

    #[test]
    fn fts_query_quotes_words_and_makes_the_last_a_prefix() {
        assert_eq!(fts_query("pi_3Nx").as_deref(), Some("\"pi\" \"3Nx\"*"));
        assert_eq!(fts_query("subscriber").as_deref(), Some("\"subs\"*"));
        assert_eq!(
            fts_query("NEAR(\"x\" OR y)").as_deref(),
            Some("\"NEAR\" \"x\" \"OR\" \"y\"*")
        );
        assert_eq!(fts_query("..."), None);
    }
}

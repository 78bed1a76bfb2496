//! Local operator profiles; every action is attributed to one.

use crate::model::Role;
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Operator {
    pub id: String,
    pub name: String,
    pub role: Role,
    #[ts(type = "number")]
    pub created_at: i64,
}

pub fn insert(tx: &Transaction<'_>, operator: &Operator) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO operators (id, name, role, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![
            operator.id,
            operator.name,
            operator.role,
            operator.created_at
        ],
    )?;
    Ok(())
}

pub fn get(conn: &Connection, id: &str) -> rusqlite::Result<Option<Operator>> {
    conn.query_row(
        "SELECT id, name, role, created_at FROM operators WHERE id = ?1",
        [id],
        |row| {
            Ok(Operator {
                id: row.get(0)?,
                name: row.get(1)?,
                role: row.get(2)?,
                created_at: row.get(3)?,
            })
        },
    )
    .optional()
}

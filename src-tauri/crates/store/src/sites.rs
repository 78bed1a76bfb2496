//! Sites and their two environments.

use crate::model::EnvironmentName;
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Site {
    pub id: String,
    pub name: String,
    pub domain: String,
    pub demo: bool,
    #[ts(type = "number")]
    pub created_at: i64,
    pub environments: Vec<Environment>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Environment {
    #[ts(type = "number")]
    pub id: i64,
    pub name: EnvironmentName,
}

/// Creates a site with both its environments.
pub fn insert(
    tx: &Transaction<'_>,
    id: &str,
    name: &str,
    domain: &str,
    demo: bool,
    now: i64,
) -> rusqlite::Result<Site> {
    tx.execute(
        "INSERT INTO sites (id, name, domain, demo, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, name, domain, demo, now],
    )?;
    let mut environments = Vec::new();
    for env in EnvironmentName::ALL {
        tx.execute(
            "INSERT INTO environments (site_id, name) VALUES (?1, ?2)",
            params![id, env],
        )?;
        environments.push(Environment {
            id: tx.last_insert_rowid(),
            name: *env,
        });
    }
    Ok(Site {
        id: id.into(),
        name: name.into(),
        domain: domain.into(),
        demo,
        created_at: now,
        environments,
    })
}

pub fn list(conn: &Connection) -> rusqlite::Result<Vec<Site>> {
    let mut sites: Vec<Site> = conn
        .prepare("SELECT id, name, domain, demo, created_at FROM sites ORDER BY name, id")?
        .query_map([], |row| {
            Ok(Site {
                id: row.get(0)?,
                name: row.get(1)?,
                domain: row.get(2)?,
                demo: row.get(3)?,
                created_at: row.get(4)?,
                environments: Vec::new(),
            })
        })?
        .collect::<Result<_, _>>()?;
    let mut stmt =
        conn.prepare("SELECT id, name FROM environments WHERE site_id = ?1 ORDER BY id")?;
    for site in &mut sites {
        site.environments = stmt
            .query_map([&site.id], |row| {
                Ok(Environment {
                    id: row.get(0)?,
                    name: row.get(1)?,
                })
            })?
            .collect::<Result<_, _>>()?;
    }
    Ok(sites)
}

/// The environment row with the given site and name, if both exist.
pub fn environment_id(
    conn: &Connection,
    site_id: &str,
    name: EnvironmentName,
) -> rusqlite::Result<Option<i64>> {
    conn.query_row(
        "SELECT id FROM environments WHERE site_id = ?1 AND name = ?2",
        params![site_id, name],
        |row| row.get(0),
    )
    .optional()
}

/// The site an environment belongs to, if the environment exists.
pub fn site_of_environment(
    conn: &Connection,
    environment_id: i64,
) -> rusqlite::Result<Option<String>> {
    conn.query_row(
        "SELECT site_id FROM environments WHERE id = ?1",
        params![environment_id],
        |row| row.get(0),
    )
    .optional()
}

pub fn count(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT count(*) FROM sites", [], |row| row.get(0))
}

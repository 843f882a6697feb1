//! What a careful hand-written endpoint does without tenantgen's fences:
//! verify the token, then one statement filtered by the token's tenant.
//! Connects as a role that bypasses row-level security.

use std::str::FromStr;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};
use tokio_postgres::types::Type;
use uuid::Uuid;

const COLUMNS: &str = "id, name, domain, size, founded, created_at, updated_at";

#[derive(Serialize)]
struct Company {
    id: Uuid,
    name: String,
    domain: Option<String>,
    size: Option<String>,
    founded: Option<NaiveDate>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl Company {
    fn from_row(row: &tokio_postgres::Row) -> Self {
        Company {
            id: row.get(0),
            name: row.get(1),
            domain: row.get(2),
            size: row.get(3),
            founded: row.get(4),
            created_at: row.get(5),
            updated_at: row.get(6),
        }
    }
}

#[derive(Serialize)]
struct Page {
    items: Vec<Company>,
    page: i64,
    limit: i64,
    has_more: bool,
}

#[derive(Deserialize)]
struct Claims {
    tenant_id: Uuid,
}

#[derive(Clone)]
struct AppState {
    pool: Pool,
    key: Arc<DecodingKey>,
    validation: Arc<Validation>,
}

impl AppState {
    fn tenant(&self, headers: &HeaderMap) -> Result<Uuid, StatusCode> {
        let token = headers
            .get("authorization")
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .ok_or(StatusCode::UNAUTHORIZED)?;
        jsonwebtoken::decode::<Claims>(token, &self.key, &self.validation)
            .map(|data| data.claims.tenant_id)
            .map_err(|_| StatusCode::UNAUTHORIZED)
    }
}

async fn list(State(state): State<AppState>, headers: HeaderMap) -> Result<Json<Page>, StatusCode> {
    let tenant = state.tenant(&headers)?;
    let client = state.pool.get().await.map_err(|_| StatusCode::SERVICE_UNAVAILABLE)?;
    let sql = format!("SELECT {COLUMNS} FROM companies WHERE tenant_id = $1 ORDER BY created_at DESC, id DESC LIMIT 51 OFFSET 0");
    let rows = client
        .query_typed(&sql, &[(&tenant, Type::UUID)])
        .await
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    let mut items: Vec<Company> = rows.iter().map(Company::from_row).collect();
    let has_more = items.len() > 50;
    items.truncate(50);
    Ok(Json(Page { items, page: 1, limit: 50, has_more }))
}

async fn read(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<Uuid>) -> Result<Json<Company>, StatusCode> {
    let tenant = state.tenant(&headers)?;
    let client = state.pool.get().await.map_err(|_| StatusCode::SERVICE_UNAVAILABLE)?;
    let sql = format!("SELECT {COLUMNS} FROM companies WHERE tenant_id = $1 AND id = $2");
    let rows = client
        .query_typed(&sql, &[(&tenant, Type::UUID), (&id, Type::UUID)])
        .await
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    rows.first().map(|row| Json(Company::from_row(row))).ok_or(StatusCode::NOT_FOUND)
}

#[tokio::main]
async fn main() {
    let url = std::env::var("BASELINE_DATABASE_URL").expect("BASELINE_DATABASE_URL");
    let secret = std::env::var("JWT_SECRET").expect("JWT_SECRET");
    let port: u16 = std::env::var("PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(8081);
    let manager = Manager::from_config(
        tokio_postgres::Config::from_str(&url).expect("a PostgreSQL URL"),
        tokio_postgres::NoTls,
        ManagerConfig { recycling_method: RecyclingMethod::Fast },
    );
    let pool = Pool::builder(manager).max_size(16).build().expect("a pool");
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_required_spec_claims(&["exp", "sub"]);
    let state = AppState {
        pool,
        key: Arc::new(DecodingKey::from_secret(secret.as_bytes())),
        validation: Arc::new(validation),
    };
    let app = Router::new()
        .route("/api/companies", get(list))
        .route("/api/companies/{id}", get(read))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.expect("bind");
    axum::serve(listener, app).await.expect("serve");
}

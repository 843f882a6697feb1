//! What a careful hand-written endpoint does without tenantgen's fence: the
//! generated app's middleware, token check and prepared-statement cache,
//! then one statement filtered by the token's tenant, as a role that
//! bypasses row-level security, with no transaction.

use acme_crm::api::entities::company::Company;
use acme_crm::api::records::Record;
use acme_crm::api::{ListQuery, Page, Params, RecordId};
use acme_crm::app::{AppState, with_middleware};
use acme_crm::auth::{Caller, Keys};
use acme_crm::config::{JwtConfig, Limits};
use acme_crm::db::{self, Sql};
use acme_crm::error::ApiError;
use acme_crm::servers::Servers;
use acme_crm::tenant_data::TenantData;
use acme_crm::tenant_databases::TenantDatabases;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use tokio_postgres::types::Type;

const COLUMNS: &str = "id, name, domain, size, founded, created_at, updated_at";

async fn list(State(state): State<AppState>, caller: Caller) -> Result<Json<Page<Company>>, ApiError> {
    let query = ListQuery::parse(Default::default(), &[], false)?;
    let mut params = Params::default();
    let tenant = params.push(caller.tenant(), Type::UUID);
    let sql = format!("SELECT {COLUMNS} FROM companies WHERE tenant_id = {tenant}{}", query.order_and_page("created_at", &mut params));
    let client = state.pool.get().await?;
    let rows = db::query(&client, Sql::Fixed(&sql), &params.as_slice()).await?;
    let items = rows.iter().map(Company::from_row).collect::<Result<Vec<_>, _>>()?;
    Ok(Json(Page::new(items, &query)))
}

async fn read(State(state): State<AppState>, caller: Caller, RecordId(id): RecordId) -> Result<Json<Company>, ApiError> {
    let client = state.pool.get().await?;
    let sql = format!("SELECT {COLUMNS} FROM companies WHERE tenant_id = $1 AND id = $2");
    let rows = db::query(&client, Sql::Fixed(&sql), &[(&caller.tenant(), Type::UUID), (&id, Type::UUID)]).await?;
    let row = rows.first().ok_or(ApiError::NotFound)?;
    Ok(Json(Company::from_row(row)?))
}

#[tokio::main]
async fn main() {
    let url = std::env::var("BASELINE_DATABASE_URL").expect("BASELINE_DATABASE_URL");
    let secret = std::env::var("JWT_SECRET").expect("JWT_SECRET");
    let port: u16 = std::env::var("PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(8081);
    let limits = Limits::default();
    let pool = acme_crm::db::pool(&url, &limits).expect("a pool");
    let jwt = JwtConfig::Secret { current: secret, previous: None, issuer: "acme_crm".to_owned(), audience: "acme_crm".to_owned() };
    let keys = Keys::new(&jwt).expect("keys");
    // Its routes read through `pool` alone; the state needs the rest.
    let servers = Servers::main_only(db::Target::parse(&url).expect("a database URL"), None);
    let databases = TenantDatabases::new(pool.clone(), servers, &limits);
    let tenant_data = TenantData::new(pool.clone(), databases, &limits);
    let state = AppState::from_parts(pool, keys, tenant_data, &limits);
    let routes = Router::new()
        .route("/api/companies", get(list))
        .route("/api/companies/{id}", get(read));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.expect("bind");
    axum::serve(listener, with_middleware(routes, state.clone())).await.expect("serve");
}

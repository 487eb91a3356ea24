//! Chat imports: an admin's file is validated into a preview, then Confirm imports it
//! (once, however often it is tapped) or Cancel drops it.

use rand::Rng;

use super::{Response, Service, ServiceError};
use crate::import;
use crate::store::PendingImport;

/// Validates an upload and stores it as the admin's pending import.
pub(super) fn preview(
    service: &Service,
    admin: i64,
    file_name: &str,
    bytes: &[u8],
    now: i64,
    rng: &mut impl Rng,
) -> Result<Vec<Response>, ServiceError> {
    if !service.is_admin(admin) {
        return Ok(vec![Response::NotAdmin]);
    }
    let current = service.store.imported_sets()?;
    let content = service.content();
    let plan = match import::plan(
        &[(file_name.to_string(), bytes.to_vec())],
        &current,
        &content.bank,
    ) {
        Ok(plan) => plan,
        Err(problems) => {
            return Ok(vec![Response::ImportProblems {
                file_name: file_name.to_string(),
                problems: problems.iter().map(ToString::to_string).collect(),
            }]);
        }
    };
    let token = rng.gen_range(1..u32::MAX);
    let pending = PendingImport {
        token,
        file_name: file_name.to_string(),
        sets: plan.set_files(),
        faq: plan.faq_batches(),
        created_at: now,
    };
    service.store.put_pending(admin, &pending)?;
    Ok(vec![Response::ImportPreview { token, plan }])
}

/// Imports the pending upload with this token; a second Confirm finds nothing.
pub(super) fn confirm(
    service: &Service,
    admin: i64,
    token: u32,
    now: i64,
) -> Result<Vec<Response>, ServiceError> {
    if !service.is_admin(admin) {
        return Ok(vec![Response::NotAdmin]);
    }
    let _import = service
        .import_lock
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    let Some(pending) = service.store.take_pending(admin, token)? else {
        return Ok(vec![Response::ImportExpired]);
    };
    let current = service.store.imported_sets()?;
    let content = service.content();
    let plan = match import::plan_records(pending.sets, pending.faq, &current, &content.bank) {
        Ok(plan) => plan,
        Err(problems) => {
            return Ok(vec![Response::ImportProblems {
                file_name: pending.file_name,
                problems: problems.iter().map(ToString::to_string).collect(),
            }]);
        }
    };
    import::apply(&service.store, &plan, &format!("chat:{admin}"), now)?;
    service.reload()?;
    Ok(vec![Response::Imported { plan }])
}

pub(super) fn cancel(service: &Service, admin: i64, token: u32) -> Result<Response, ServiceError> {
    if !service.is_admin(admin) {
        return Ok(Response::NotAdmin);
    }
    Ok(match service.store.take_pending(admin, token)? {
        Some(_) => Response::ImportCancelled,
        None => Response::ImportExpired,
    })
}

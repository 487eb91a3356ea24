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
    let token = rng.gen_range(1..u32::MAX);
    let pending = |campaign, orgs| PendingImport {
        token,
        file_name: file_name.to_string(),
        sets: Vec::new(),
        faq: Vec::new(),
        created_at: now,
        campaign,
        orgs,
    };
    if let Some(text) = campaign_text(file_name, bytes) {
        return match service.plan_campaign(file_name, text)? {
            Ok(plan) => {
                service
                    .store
                    .put_pending(admin, &pending(Some(plan.campaign.clone()), None))?;
                Ok(vec![Response::CampaignPreview { token, plan }])
            }
            Err(problems) => Ok(vec![problems_response(file_name, &problems)]),
        };
    }
    if is_table(file_name) && crate::campaign::is_org_list(file_name, bytes) {
        return match service.plan_orgs(file_name, bytes, rng)? {
            Ok(import) => {
                let merged = import.merged();
                service
                    .store
                    .put_pending(admin, &pending(None, Some(merged.clone())))?;
                Ok(vec![Response::OrgsPreview {
                    token,
                    file_name: file_name.to_string(),
                    added: import.added(),
                    changed: import.changed(),
                    unchanged: import.unchanged(),
                    total: merged.len(),
                    ignored_columns: import.ignored_columns.clone(),
                    sample: import.orgs.iter().take(5).cloned().collect(),
                }])
            }
            Err(problems) => Ok(vec![problems_response(file_name, &problems)]),
        };
    }
    let current = service.store.imported_sets()?;
    let content = service.content();
    let plan = match import::plan(
        &[(file_name.to_string(), bytes.to_vec())],
        &current,
        &content.bank,
    ) {
        Ok(plan) => plan,
        Err(problems) => return Ok(vec![problems_response(file_name, &problems)]),
    };
    let pending = PendingImport {
        sets: plan.set_files(),
        faq: plan.faq_batches(),
        ..pending(None, None)
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
    let by = format!("chat:{admin}");
    if let Some(campaign) = pending.campaign {
        drop(_import);
        let id = campaign.id.clone();
        service.save_campaign(campaign, &by, now)?;
        let saved = service.content().campaign(&id).cloned();
        return Ok(saved.into_iter().map(Response::CampaignImported).collect());
    }
    if let Some(orgs) = pending.orgs {
        drop(_import);
        service.save_orgs(&orgs)?;
        return Ok(vec![Response::OrgsImported { total: orgs.len() }]);
    }
    let current = service.store.imported_sets()?;
    let content = service.content();
    let plan = match import::plan_records(pending.sets, pending.faq, &current, &content.bank) {
        Ok(plan) => plan,
        Err(problems) => {
            let problems = import::cap_problems(problems);
            return Ok(vec![problems_response(&pending.file_name, &problems)]);
        }
    };
    import::apply(&service.store, &plan, &by, now)?;
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

/// The text of a campaign definition: a TOML file with a `[campaign]` table.
fn campaign_text<'a>(file_name: &str, bytes: &'a [u8]) -> Option<&'a str> {
    let toml = file_name.to_ascii_lowercase().ends_with(".toml");
    let text = std::str::from_utf8(bytes).ok()?;
    let declares = text.lines().any(|line| line.trim() == "[campaign]");
    (toml && declares).then_some(text)
}

/// Spreadsheets and CSV, which may be enterprise lists rather than questions.
fn is_table(file_name: &str) -> bool {
    let lower = file_name.to_ascii_lowercase();
    [".xlsx", ".xls", ".ods", ".csv"]
        .iter()
        .any(|ext| lower.ends_with(ext))
}

fn problems_response(file_name: &str, problems: &[crate::bank::Problem]) -> Response {
    Response::ImportProblems {
        file_name: file_name.to_string(),
        problems: problems.iter().map(ToString::to_string).collect(),
    }
}

/// `/source TEXT` while a preview waits: its questions without 出处 cite TEXT instead of the
/// default, and the preview is shown again (same Confirm token).
pub(super) fn set_source(
    service: &Service,
    admin: i64,
    text: &str,
) -> Result<Response, ServiceError> {
    if !service.is_admin(admin) {
        return Ok(Response::AdminOnly);
    }
    let Some(mut pending) = service.store.pending(admin)? else {
        return Ok(Response::ImportExpired);
    };
    let default = import::default_source(&pending.file_name);
    let replaced = match import::replace_source(&mut pending.sets, &default, text) {
        Ok(replaced) => replaced,
        Err(problem) => {
            return Ok(Response::ImportProblems {
                file_name: pending.file_name,
                problems: vec![problem],
            })
        }
    };
    if replaced == 0 {
        return Ok(Response::SourceNotNeeded);
    }
    let current = service.store.imported_sets()?;
    let content = service.content();
    let plan = import::plan_records(
        pending.sets.clone(),
        pending.faq.clone(),
        &current,
        &content.bank,
    );
    match plan {
        Ok(plan) => {
            service.store.put_pending(admin, &pending)?;
            Ok(Response::ImportPreview {
                token: pending.token,
                plan,
            })
        }
        Err(problems) => Ok(problems_response(
            &pending.file_name,
            &import::cap_problems(problems),
        )),
    }
}

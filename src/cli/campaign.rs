//! `stdquiz campaign ...` and `stdquiz org ...`: the organizer's commands. They run
//! through the service, as the chat does, so the CLI and the bot agree.

use std::process::ExitCode;

use super::{fail, print_problems, CampaignWhat, OrgWhat, Paths};
use crate::service::Service;
use crate::store::Store;

fn open(paths: &Paths) -> Result<Service, ExitCode> {
    let store = Store::open(&paths.data).map_err(fail)?;
    Service::new(store, &paths.questions, Vec::new()).map_err(fail)
}

pub fn campaign(what: CampaignWhat) -> ExitCode {
    match what {
        CampaignWhat::Import {
            file,
            paths,
            dry_run,
        } => {
            let text = match std::fs::read(&file) {
                Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                Err(e) => return fail(format!("cannot read {}: {e}", file.display())),
            };
            let service = match open(&paths) {
                Ok(service) => service,
                Err(code) => return code,
            };
            let name = file.display().to_string();
            let plan = match service.plan_campaign(&name, &text) {
                Ok(Ok(plan)) => plan,
                Ok(Err(problems)) => return print_problems(&problems),
                Err(e) => return fail(e),
            };
            let c = &plan.campaign;
            println!(
                "campaign {} v{} “{}”: {} questions from a pool of {}, {} attempt(s), pass mark {}%",
                c.id, c.version, c.title, c.questions, plan.pool, c.attempts, c.pass_mark
            );
            println!(
                "window {} – {} (Asia/Shanghai); deep link ?start={}",
                crate::campaign::shanghai_time(c.starts),
                crate::campaign::shanghai_time(c.ends),
                c.start_payload()
            );
            if dry_run {
                println!("dry run: nothing was written");
                return ExitCode::SUCCESS;
            }
            let now = chrono::Utc::now().timestamp();
            match service.save_campaign(plan.campaign, "cli", now) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => fail(e),
            }
        }
        CampaignWhat::List { paths, json } => {
            let service = match open(&paths) {
                Ok(service) => service,
                Err(code) => return code,
            };
            let campaigns = service.campaigns();
            if json {
                return print_json(&campaigns);
            }
            if campaigns.is_empty() {
                println!("no campaigns yet: stdquiz campaign import FILE.toml");
            }
            for c in campaigns {
                println!(
                    "{}\tv{}\t{} – {}\t{}",
                    c.id,
                    c.version,
                    crate::campaign::shanghai_time(c.starts),
                    crate::campaign::shanghai_time(c.ends),
                    c.title
                );
            }
            ExitCode::SUCCESS
        }
        CampaignWhat::Poster {
            id,
            bot,
            out,
            paths,
        } => {
            let service = match open(&paths) {
                Ok(service) => service,
                Err(code) => return code,
            };
            let Some(campaign) = service.campaigns().into_iter().find(|c| c.id == id) else {
                return fail(format!(
                    "no campaign `{id}`; `stdquiz campaign list` shows the ids"
                ));
            };
            let link = crate::service::campaign_link(&bot, &campaign);
            let png = crate::service::campaigns::poster_png(&campaign, &link);
            let svg = crate::service::campaigns::poster_svg(&campaign, &link);
            let svg_path = out.with_extension("svg");
            if let Err(e) = std::fs::write(&out, png) {
                return fail(format!("cannot write {}: {e}", out.display()));
            }
            if let Err(e) = std::fs::write(&svg_path, svg) {
                return fail(format!("cannot write {}: {e}", svg_path.display()));
            }
            println!("{link}");
            println!("wrote {} and {}", out.display(), svg_path.display());
            ExitCode::SUCCESS
        }
        CampaignWhat::Report { id, paths, .. } => {
            let service = match open(&paths) {
                Ok(service) => service,
                Err(code) => return code,
            };
            match service.campaign_report(&id) {
                Ok(Some(report)) => print_json(&report),
                Ok(None) => fail(format!(
                    "no campaign `{id}`; `stdquiz campaign list` shows the ids"
                )),
                Err(e) => fail(e),
            }
        }
    }
}

pub fn org(what: OrgWhat) -> ExitCode {
    match what {
        OrgWhat::Import {
            file,
            paths,
            dry_run,
        } => {
            let bytes = match std::fs::read(&file) {
                Ok(bytes) => bytes,
                Err(e) => return fail(format!("cannot read {}: {e}", file.display())),
            };
            let service = match open(&paths) {
                Ok(service) => service,
                Err(code) => return code,
            };
            let name = file.display().to_string();
            let import = match service.plan_orgs(&name, &bytes, &mut rand::thread_rng()) {
                Ok(Ok(import)) => import,
                Ok(Err(problems)) => return print_problems(&problems),
                Err(e) => return fail(e),
            };
            let merged = import.merged();
            println!(
                "enterprises: {} added, {} changed, {} unchanged; {} listed after import",
                import.added(),
                import.changed(),
                import.unchanged(),
                merged.len()
            );
            if !import.ignored_columns.is_empty() {
                println!("ignored columns: {}", import.ignored_columns.join(", "));
            }
            if dry_run {
                println!("dry run: nothing was written");
                return ExitCode::SUCCESS;
            }
            match service.save_orgs(&merged) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => fail(e),
            }
        }
        OrgWhat::List { paths, json } => {
            let service = match open(&paths) {
                Ok(service) => service,
                Err(code) => return code,
            };
            let orgs = service.orgs();
            if json {
                return print_json(&orgs);
            }
            println!("邀请码 code\t职工人数 headcount\t街道 street\t单位名称 name");
            for org in orgs {
                println!(
                    "{}\t{}\t{}\t{}",
                    org.code,
                    org.headcount,
                    org.street.as_deref().unwrap_or("-"),
                    org.name
                );
            }
            ExitCode::SUCCESS
        }
    }
}

fn print_json(value: &impl serde::Serialize) -> ExitCode {
    match serde_json::to_string_pretty(value) {
        Ok(text) => {
            println!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

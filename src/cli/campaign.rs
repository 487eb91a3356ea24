//! `stdquiz campaign ...` and `stdquiz org ...`: the organizer's commands. They run
//! through the service, as the chat does, so the CLI and the bot agree.

use std::process::ExitCode;

use super::{fail, print_problems, CampaignWhat, DrawWhat, OrgWhat, Paths, ReportFormat};
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
        CampaignWhat::Report {
            id,
            paths,
            format,
            out,
            lang,
        } => {
            let service = match open(&paths) {
                Ok(service) => service,
                Err(code) => return code,
            };
            let book = match service.campaign_book(&id) {
                Ok(Some(book)) => book,
                Ok(None) => {
                    return fail(format!(
                        "no campaign `{id}`; `stdquiz campaign list` shows the ids"
                    ))
                }
                Err(e) => return fail(e),
            };
            let bytes = match format {
                ReportFormat::Json => {
                    let mut value = match serde_json::to_value(&book.report) {
                        Ok(value) => value,
                        Err(e) => return fail(e),
                    };
                    value["winners"] = serde_json::json!(book
                        .winners
                        .iter()
                        .map(|w| serde_json::json!({
                            "rank": w.rank,
                            "user_id": w.user_id,
                            "name": w.name,
                            "org": w.org,
                        }))
                        .collect::<Vec<_>>());
                    match serde_json::to_string_pretty(&value) {
                        Ok(text) => (text + "\n").into_bytes(),
                        Err(e) => return fail(e),
                    }
                }
                ReportFormat::Csv => book.people_csv(lang.into()).into_bytes(),
                ReportFormat::Xlsx => {
                    if out.is_none() {
                        return fail("--format xlsx needs --out FILE.xlsx");
                    }
                    match book.xlsx(lang.into()) {
                        Ok(bytes) => bytes,
                        Err(e) => return fail(e),
                    }
                }
            };
            write_out(out.as_deref(), &bytes)
        }
        CampaignWhat::Draw { what } => draw(what),
    }
}

fn write_out(out: Option<&std::path::Path>, bytes: &[u8]) -> ExitCode {
    match out {
        Some(path) => match std::fs::write(path, bytes) {
            Ok(()) => {
                println!("wrote {}", path.display());
                ExitCode::SUCCESS
            }
            Err(e) => fail(format!("cannot write {}: {e}", path.display())),
        },
        None => {
            use std::io::Write;
            let _ = std::io::stdout().write_all(bytes);
            ExitCode::SUCCESS
        }
    }
}

fn draw(what: DrawWhat) -> ExitCode {
    let now = chrono::Utc::now().timestamp();
    match what {
        DrawWhat::Commit { id, paths } => {
            let service = match open(&paths) {
                Ok(service) => service,
                Err(code) => return code,
            };
            match service.draw_commit(&id, now, &mut rand::rngs::OsRng) {
                Ok(Ok((draw, new))) => {
                    if !new {
                        println!("already committed; the commitment is unchanged");
                    }
                    println!("commitment (SHA-256 of the seed): {}", draw.commitment);
                    println!("publish this before the campaign closes; the seed stays secret until the draw");
                    ExitCode::SUCCESS
                }
                Ok(Err(refusal)) => fail(refusal),
                Err(e) => fail(e),
            }
        }
        DrawWhat::Run {
            id,
            winners,
            per_org_cap,
            paths,
        } => {
            let service = match open(&paths) {
                Ok(service) => service,
                Err(code) => return code,
            };
            match service.draw_run(&id, winners, per_org_cap, now) {
                Ok(Ok(drawn)) => {
                    let result = drawn.draw.result.as_ref();
                    if !drawn.new {
                        println!("the draw already ran; its stored result:");
                    }
                    println!("commitment: {}", drawn.draw.commitment);
                    println!("seed: {}", drawn.draw.seed);
                    if let Some(result) = result {
                        let cap = result
                            .per_org_cap
                            .map_or_else(|| "none".to_string(), |c| c.to_string());
                        println!(
                            "eligible (passed, one entry each): {}; winners asked: {}; cap per enterprise: {cap}",
                            result.eligible, result.winners
                        );
                    }
                    for w in &drawn.winners {
                        println!(
                            "{}\t{}\t{}\t{}",
                            w.rank,
                            w.user_id,
                            w.name,
                            w.org.as_deref().unwrap_or("-")
                        );
                    }
                    println!(
                        "anyone can check: stdquiz campaign draw verify {id} --seed {}",
                        drawn.draw.seed
                    );
                    ExitCode::SUCCESS
                }
                Ok(Err(refusal)) => fail(refusal),
                Err(e) => fail(e),
            }
        }
        DrawWhat::Verify { id, seed, paths } => {
            let service = match open(&paths) {
                Ok(service) => service,
                Err(code) => return code,
            };
            match service.draw_verify(&id, &seed) {
                Ok(Ok(verified)) => {
                    for (rank, user_id, org) in &verified.recomputed {
                        println!("{rank}\t{user_id}\t{}", org.as_deref().unwrap_or("-"));
                    }
                    if verified.matches {
                        println!(
                            "OK: the seed matches the commitment and gives the stored winners"
                        );
                        ExitCode::SUCCESS
                    } else {
                        println!("MISMATCH: the recomputed winners differ from the stored ones");
                        ExitCode::from(1)
                    }
                }
                Ok(Err(refusal)) => fail(refusal),
                Err(e) => fail(e),
            }
        }
    }
}

/// `stdquiz verify CODE`.
pub fn verify(code: &str, paths: &Paths) -> ExitCode {
    let service = match open(paths) {
        Ok(service) => service,
        Err(code) => return code,
    };
    match service.verify(code) {
        Ok(Some(c)) => {
            println!("✅ 参赛证明真实有效 / genuine certificate");
            println!("姓名 name: {}", c.name);
            println!("活动 campaign: {} ({})", c.title, c.campaign);
            println!("成绩 score: {}", c.score);
            println!(
                "日期 date: {} (Asia/Shanghai)",
                crate::campaign::shanghai_time(c.date)
            );
            ExitCode::SUCCESS
        }
        Ok(None) => {
            println!("❌ 未找到该验证码 / unknown code: {code}");
            ExitCode::from(1)
        }
        Err(e) => fail(e),
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

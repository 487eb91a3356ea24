//! The only reader of environment variables.

/// Admin Telegram user ids from `STDQUIZ_ADMINS` (comma or space separated).
pub fn admins_from_env() -> Result<Vec<i64>, String> {
    let Ok(raw) = std::env::var("STDQUIZ_ADMINS") else {
        return Ok(Vec::new());
    };
    parse_admins(&raw)
}

pub fn parse_admins(raw: &str) -> Result<Vec<i64>, String> {
    raw.split([',', ' ', ';'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<i64>()
                .map_err(|_| format!("STDQUIZ_ADMINS: `{s}` is not a Telegram user id (a number)"))
        })
        .collect()
}

/// The bot token from `TELOXIDE_TOKEN`, checked for the `<digits>:<secret>` shape.
pub fn telegram_token() -> Result<String, String> {
    let token = std::env::var("TELOXIDE_TOKEN").map_err(|_| "TELOXIDE_TOKEN is not set: export the token BotFather gave you (or use `stdquiz chat` to play in the terminal)".to_string())?;
    let token = token.trim().to_string();
    let valid = token.split_once(':').is_some_and(|(id, secret)| {
        !id.is_empty()
            && id.chars().all(|c| c.is_ascii_digit())
            && !secret.is_empty()
            && !secret.contains(char::is_whitespace)
    });
    if !valid {
        return Err(
            "TELOXIDE_TOKEN is malformed: expected <bot id>:<secret>, e.g. 123456:ABC-DEF".into(),
        );
    }
    Ok(token)
}

/// `TELOXIDE_API_URL`, when set (a self-hosted or fake Bot API server).
pub fn telegram_api_url() -> Result<Option<String>, String> {
    match std::env::var("TELOXIDE_API_URL") {
        Ok(url) if !url.trim().is_empty() => {
            let url = url.trim().to_string();
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(format!(
                    "TELOXIDE_API_URL `{url}` must start with http:// or https://"
                ));
            }
            Ok(Some(url))
        }
        _ => Ok(None),
    }
}

/// Log filter from `RUST_LOG`, defaulting to info.
pub fn log_filter() -> String {
    std::env::var("RUST_LOG").unwrap_or_else(|_| "info,sled=warn".into())
}

#[cfg(test)]
mod tests {
    #[test]
    fn admins_parse() {
        assert_eq!(super::parse_admins("1, 2;3").unwrap(), vec![1, 2, 3]);
        assert!(super::parse_admins("abc").is_err());
    }
}

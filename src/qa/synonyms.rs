//! Abbreviations and synonyms users type, expanded before tokenising.

/// (what users type, what the knowledge base says). Matching is on folded text.
const SYNONYMS: &[(&str, &str)] = &[
    ("国标", "国家标准"),
    ("推荐性国标", "推荐性国家标准 gb/t"),
    ("强制性国标", "强制性国家标准 gb"),
    ("强标", "强制性标准"),
    ("推标", "推荐性标准"),
    ("行标", "行业标准"),
    ("地标", "地方标准"),
    ("团标", "团体标准"),
    ("企标", "企业标准"),
    ("标准法", "标准化法"),
    ("标委会", "标准化技术委员会"),
    ("标委", "标准化管理委员会"),
    ("国标委", "国家标准化管理委员会"),
    ("国家标准委", "国家标准化管理委员会"),
    ("市场监管总局", "国家市场监督管理总局"),
    ("纲要", "国家标准化发展纲要"),
    ("标准日", "世界标准日"),
    ("计量日", "世界计量日"),
    ("国际电联", "国际电信联盟 itu"),
    ("电工委员会", "国际电工委员会 iec"),
    ("国际标准化组织", "iso"),
    ("自我声明", "自我声明公开"),
    ("领跑者", "企业标准领跑者"),
    ("等同采用", "idt"),
    ("修改采用", "mod"),
    ("非等效", "neq"),
    ("采标", "采用国际标准"),
    ("备案", "备案 自我声明公开"),
    ("标准化总监", "企业标准化总监"),
    ("复审", "复审 周期"),
    ("免费", "免费 公开"),
    ("长宁", "长宁区"),
    ("推荐性的", "推荐性"),
    ("recommended", "推荐性 gb/t"),
    ("mandatory", "强制性"),
    ("compulsory", "强制性"),
    ("national standard", "国家标准"),
    ("industry standard", "行业标准"),
    ("sector standard", "行业标准"),
    ("local standard", "地方标准"),
    ("association standard", "团体标准"),
    ("group standard", "团体标准"),
    ("enterprise standard", "企业标准"),
    ("company standard", "企业标准"),
    ("standardization law", "标准化法"),
    ("standardisation law", "标准化法"),
    ("world standards day", "世界标准日"),
    ("self-declaration", "自我声明公开"),
    ("self declaration", "自我声明公开"),
    ("forerunner", "领跑者"),
    ("outline", "纲要"),
    ("shanghai", "上海"),
    ("changning", "长宁"),
];

/// Everyday and English ways of naming the same idea (what users type, the word the
/// entries use). Applied to entries and queries alike, so either side may use any form.
const CONCEPTS: &[(&str, &[&str])] = &[
    (
        "处罚",
        &[
            "罚款",
            "罚钱",
            "处分",
            "penalty",
            "penalties",
            "fine",
            "fined",
            "punish",
            "punishment",
            "sanction",
        ],
    ),
    (
        "法律责任",
        &[
            "违法",
            "违规",
            "违反",
            "后果",
            "liability",
            "liable",
            "illegal",
            "violation",
            "violate",
        ],
    ),
    (
        "资助",
        &[
            "补贴",
            "补助",
            "扶持",
            "资金",
            "给钱",
            "拿钱",
            "funding",
            "fund",
            "subsidy",
            "subsidies",
            "grant",
            "grants",
        ],
    ),
    (
        "网址",
        &[
            "网站", "官网", "网页", "链接", "website", "site", "url", "online",
        ],
    ),
    (
        "成立",
        &[
            "创立",
            "创建",
            "建立",
            "诞生",
            "founded",
            "established",
            "set up",
            "created",
        ],
    ),
    (
        "总部",
        &["总部设在", "headquarters", "headquartered", "based in"],
    ),
    ("主题", &["口号", "主题词", "theme", "slogan", "motto"]),
    (
        "定义",
        &[
            "意思",
            "含义",
            "概念",
            "是指",
            "meaning",
            "definition",
            "define",
            "defined",
            "defines",
        ],
    ),
    (
        "区别",
        &[
            "不同",
            "差别",
            "差异",
            "不一样",
            "区分",
            "difference",
            "differences",
            "differ",
            "different",
            "versus",
            "vs",
            "compare",
            "compared",
        ],
    ),
    (
        "多久",
        &[
            "多长时间",
            "时长",
            "期限",
            "年限",
            "how long",
            "duration",
            "deadline",
        ],
    ),
    (
        "必须",
        &[
            "一定要",
            "非得",
            "必需",
            "must",
            "have to",
            "has to",
            "obliged",
        ],
    ),
    (
        "自愿",
        &["可以不", "不强制", "optional", "voluntary", "voluntarily"],
    ),
    (
        "公开",
        &[
            "公布",
            "披露",
            "公示",
            "disclose",
            "disclosure",
            "publish",
            "published",
            "publicly",
            "make public",
        ],
    ),
    (
        "制定",
        &[
            "起草",
            "编写",
            "编制",
            "拟定",
            "出台",
            "draft",
            "drafting",
            "formulate",
            "formulated",
        ],
    ),
    (
        "修订",
        &[
            "修改",
            "修正",
            "改版",
            "amend",
            "amended",
            "amendment",
            "revise",
            "revised",
            "revision",
        ],
    ),
    (
        "废止",
        &[
            "作废",
            "废除",
            "失效",
            "abolish",
            "abolished",
            "repeal",
            "repealed",
            "withdrawn",
        ],
    ),
    ("编号", &["标准号", "号码", "numbering"]),
    ("层次", &["层级", "hierarchy"]),
    ("例如", &["例子", "比如", "举例", "example", "examples"]),
    (
        "最早",
        &["最老", "历史最长", "最古老", "oldest", "earliest"],
    ),
    ("成员", &["会员", "member", "members", "membership"]),
    (
        "主管部门",
        &[
            "监管部门",
            "管理部门",
            "负责部门",
            "哪个部门",
            "谁管",
            "regulator",
            "authority",
            "authorities",
            "oversee",
            "oversees",
            "in charge",
        ],
    ),
    (
        "民营企业",
        &[
            "私企",
            "民企",
            "私营企业",
            "private company",
            "private companies",
            "private firm",
            "private firms",
            "private enterprise",
            "private enterprises",
            "privately",
        ],
    ),
    ("我国", &["中国", "国内", "china", "chinese", "domestic"]),
    (
        "数量",
        &["多少项", "多少家", "几项", "几家", "how many", "number of"],
    ),
];

/// Appends the expansions of every abbreviation found in `text`, and the full year of
/// a two-digit one (`22年` -> `2022年`).
pub fn expand(text: &str) -> String {
    let folded: String = text.to_lowercase();
    let mut out = text.to_string();
    let chars: Vec<char> = text.chars().collect();
    for i in 0..chars.len().saturating_sub(2) {
        let two_digits =
            chars[i].is_ascii_digit() && chars[i + 1].is_ascii_digit() && chars[i + 2] == '年';
        let starts_number = i == 0 || !chars[i - 1].is_ascii_digit();
        if two_digits && starts_number {
            out.push_str(&format!(" 20{}{}年", chars[i], chars[i + 1]));
        }
    }
    for (short, long) in SYNONYMS {
        if contains_word(&folded, short) {
            out.push(' ');
            out.push_str(long);
        }
    }
    for (concept, forms) in CONCEPTS {
        if forms.iter().any(|form| contains_word(&folded, form)) {
            out.push(' ');
            out.push_str(concept);
        }
    }
    out
}

/// What a whole (folded) term stands for, when it is an abbreviation users type
/// (纲要 -> 国家标准化发展纲要, world standards day -> 世界标准日).
pub fn long_forms(term: &str) -> Vec<&'static str> {
    SYNONYMS
        .iter()
        .filter(|(short, _)| *short == term)
        .filter_map(|(_, long)| long.split(' ').next())
        .collect()
}

/// `word` occurs in `text`; a Latin word must stand whole (`tax` is not in `taxonomy`).
pub(crate) fn contains_word(text: &str, word: &str) -> bool {
    if !word.is_ascii() {
        return text.contains(word);
    }
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric())
            && !after.is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everyday_and_english_forms_gain_the_entries_word() {
        assert!(expand("我们是私企，被罚款了").contains("民营企业"));
        assert!(expand("我们是私企，被罚款了").contains("处罚"));
        assert!(expand("What's the fine for a private firm?").contains("处罚"));
        // Whole words only: "define" is not "fine", "outlined" is not "outline".
        assert!(!expand("how to define it").contains("处罚"));
        assert!(!expand("as outlined above").contains("纲要"));
        assert!(expand("22年的主题").contains("2022年"));
    }
}

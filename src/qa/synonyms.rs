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
        if folded.contains(short) {
            out.push(' ');
            out.push_str(long);
        }
    }
    out
}
